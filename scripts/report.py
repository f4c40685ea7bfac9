#!/usr/bin/env python3
"""Tables, crossover points and plots from scbench result files.

  report.py table RESULTS... [--baseline LABEL] [--format markdown|latex] [-o FILE]
  report.py crossover RESULTS... --sparse LABEL --dense LABEL [-o FILE]
  report.py plot RESULTS... --kind sparsity|roofline|speedup|layouts [--baseline LABEL] -o FILE.png|.svg
  report.py published RESULTS... [-o FILE]   # a paper's speedups (the sweep's published: block) beside ours
  report.py regenerate --gpu-dir results/h200          # every table and figure of a GPU folder
  report.py readme --gpu-dir results/h200 [--check]    # the README's generated blocks from that folder
  report.py tuning RESULTS... -o FILE.png               # best-so-far per strategy of tuned cases
  report.py paper RESULTS... --baseline LABEL --name NAME --out-dir DIR
      # all of a paper sweep's tables (markdown, LaTeX, published) and figures (PNG) into DIR/tables, DIR/figures

A LABEL names one backend configuration as it appears in the tables: "cudnn fp32",
"im2col_cusparse{format=csr} fp32", "cusparselt fp16". Only verified (status ok) results are used.
"""
import argparse
import json
import math
import os
import re
import sys

import numpy as np
import pandas as pd

from results_io import label_of, read_document, results_of  # noqa: F401 (re-exported for callers)


def load(paths, key_filter=None):
    """One row per verified result; identical keys from later files replace earlier ones.
    key_filter: a regular expression a case key must contain (re.search), as scbench run --filter."""
    pattern = re.compile(key_filter) if key_filter else None
    rows = {}
    for path in paths:
        for r in results_of(path):
            if r["status"] != "ok" or (pattern and not pattern.search(r["case"]["key"])):
                continue
            c, d = r["case"], r["derived"]
            roofline = d.get("roofline") or {}
            rows[c["key"]] = {
                "layer": f"{c['network']}/{c['layer']}",
                "batch": c["batch"],
                "weight_sparsity": round(c["weight_sparsity"], 4),
                "activation_sparsity": round(c.get("activation_sparsity", 0.0), 4),
                "activation_pattern": c.get("activation_pattern", "uniform"),
                "fuse": c.get("fuse", "none"),
                "op": c.get("op", "conv"),
                "channels": (c.get("shape") or {}).get("C"),
                "mask": c["mask"],
                "layout": c["layout"],
                "label": label_of(c),
                "backend": c["backend"],
                "precision": c["precision"],
                "median_us": r["timing"]["median_us"],
                "mj_per_op": (r.get("energy") or {}).get("mj_per_op"),
                "tflops_useful": d["tflops_useful"],
                "useful_flops": d["useful_flops"],
                "minimal_bytes": d.get("minimal_bytes"),
                "peak_tflops": roofline.get("peak_tflops"),
                "bandwidth_gbs": roofline.get("bandwidth_gbs"),
                "copy_bandwidth_fraction": d.get("copy_bandwidth_fraction"),
                "prepare_us": r.get("prepare_us"),
                # codegen's: what generating and compiling cost, and how many modules came from the cache
                "compile_ms": (r.get("backend_details") or {}).get("compile_ms"),
                "modules": (r.get("backend_details") or {}).get("kernels"),
                "modules_from_cache": (r.get("backend_details") or {}).get("modules_from_cache"),
            }
    if not rows:
        raise SystemExit("no verified results" + (f" matching '{key_filter}'" if key_filter else "") + " in "
                         + ", ".join(paths))
    return pd.DataFrame(list(rows.values()))


def speedup_table(frame, baseline=None):
    """Rows: layer, batch, sparsity; columns: labels; cells: median us (and speedup vs baseline)."""
    index = ["layer", "batch", "weight_sparsity"]
    # Activation-sparsity sweeps (ECR, PECR) vary the input at one weight sparsity.
    if frame["activation_sparsity"].nunique() > 1:
        index.append("activation_sparsity")
    # The sparse 2:4 rows share the layer with uniform rows: keep the mask in the row key.
    if frame["mask"].nunique() > 1:
        index.append("mask")
    medians = frame.pivot_table(index=index, columns="label", values="median_us", aggfunc="first")
    if baseline is None:
        return medians, None
    if baseline not in medians.columns:
        raise SystemExit(f"baseline '{baseline}' not among: {', '.join(medians.columns)}")
    return medians, medians[baseline].values[:, None] / medians


def format_table(medians, speedups, fmt, baseline):
    headers = [str(n) for n in medians.index.names] + list(medians.columns)
    lines = []
    for key, row in medians.iterrows():
        key = key if isinstance(key, tuple) else (key,)
        cells = [str(k) for k in key]
        for label in medians.columns:
            value = row[label]
            if pd.isna(value):
                cells.append("-")
                continue
            cell = f"{value:.2f}"
            if speedups is not None and label != baseline and not pd.isna(speedups.loc[key, label]):
                cell += f" ({speedups.loc[key, label]:.2f}x)"
            cells.append(cell)
        lines.append(cells)
    if fmt == "latex":
        escape = lambda s: s.replace("_", r"\_").replace("{", r"\{").replace("}", r"\}")
        out = [r"\begin{tabular}{" + "l" * len(headers) + "}", r"\hline",
               " & ".join(escape(h) for h in headers) + r" \\", r"\hline"]
        out += [" & ".join(escape(c) for c in cells) + r" \\" for cells in lines]
        out += [r"\hline", r"\end{tabular}"]
        return "\n".join(out) + "\n"
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cells) + " |" for cells in lines]
    note = f"\nMedian us (gpu scope); in parentheses: speedup over {baseline}.\n" if baseline else "\nMedian us (gpu scope).\n"
    return "\n".join(out) + "\n" + note


def crossovers(frame, sparse, dense):
    """Per layer and batch: the lowest swept sparsity where `sparse` is faster than `dense` at the
    same sparsity (both measured in the same run), and a log-linear interpolation of the crossing."""
    results = []
    for (layer, batch), group in frame.groupby(["layer", "batch"]):
        s = group[group["label"] == sparse].set_index("weight_sparsity")["median_us"]
        d = group[group["label"] == dense].set_index("weight_sparsity")["median_us"]
        common = sorted(set(s.index) & set(d.index))
        if not common:
            continue
        ratios = [math.log(s[x] / d[x]) for x in common]  # < 0: sparse wins
        winning = [x for x, r in zip(common, ratios) if r < 0]
        entry = {"layer": layer, "batch": batch, "swept": f"{common[0]:g}-{common[-1]:g}",
                 "lowest_winning_sparsity": winning[0] if winning else None}
        if not winning:
            entry["crossover"] = f"none in [{common[0]:g}, {common[-1]:g}]"
        elif ratios[0] < 0:
            entry["crossover"] = f"sparse wins from {common[0]:g} (lowest swept)"
        else:
            i = common.index(winning[0])
            x0, x1, r0, r1 = common[i - 1], common[i], ratios[i - 1], ratios[i]
            entry["crossover"] = f"{x0 + (x1 - x0) * r0 / (r0 - r1):.3f} (between {x0:g} and {x1:g})"
        entry["speedup_at_max_sparsity"] = d[common[-1]] / s[common[-1]]
        results.append(entry)
    return pd.DataFrame(results)


def format_crossovers(table, sparse, dense):
    out = [f"Crossover of `{sparse}` against `{dense}` (same run, same sparsity):", "",
           "| layer | N | swept | lowest winning sparsity | interpolated crossover | speedup at max sparsity |",
           "|---|---|---|---|---|---|"]
    for _, r in table.iterrows():
        lowest = "-" if r["lowest_winning_sparsity"] is None or pd.isna(r["lowest_winning_sparsity"]) \
            else f"{r['lowest_winning_sparsity']:g}"
        out.append(f"| {r['layer']} | {r['batch']} | {r['swept']} | {lowest} | {r['crossover']} | "
                   f"{r['speedup_at_max_sparsity']:.2f}x |")
    return "\n".join(out) + "\n"


def our_speedups(frame, sparse, baseline, layer=None, batch=None):
    """baseline median / sparse median for every (layer, batch, sparsity, mask) where both ran."""
    rows = frame
    if layer:
        rows = rows[rows["layer"] == layer]
    if batch:
        rows = rows[rows["batch"] == batch]
    key = ["layer", "batch", "weight_sparsity", "activation_sparsity", "mask"]
    s = rows[rows["label"] == sparse].set_index(key)["median_us"]
    b = rows[rows["label"] == baseline].set_index(key)["median_us"]
    common = s.index.intersection(b.index)
    return (b[common] / s[common]).values


def ratio_text(value):
    """Two decimals, or three significant digits below 0.1, so that a 500x slowdown does not read as 0.00."""
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3g}"


def published_table(paths, frame):
    out = ["| paper | comparison | layer, N | published | ours (geomean) | ours (mean) | pairs | ours / published |",
           "|---|---|---|---|---|---|---|---|"]
    for path in paths:
        published = read_document(path)["sweep"].get("published")
        if not published:
            continue
        for p in published["speedups"]:
            # A sweep-wide claim is also shown per batch: batch size changes the answer a lot.
            batches = [p.get("batch")]
            if not p.get("batch") and frame["batch"].nunique() > 1:
                batches += sorted(int(b) for b in frame["batch"].unique())
            for batch in batches:
                ratios = our_speedups(frame, p["sparse"], p["baseline"], p.get("layer"), batch)
                scope = p.get("layer", "average over the sweep") + (f", N={batch}" if batch else "")
                if len(ratios) == 0:
                    out.append(f"| {published['source']} | {p['sparse']} over {p['baseline']} | {scope} | "
                               f"{p['speedup']:.2f}x | - | - | 0 | not measured |")
                    continue
                geo = float(np.exp(np.mean(np.log(ratios))))
                out.append(f"| {published['source']} | {p['sparse']} over {p['baseline']} | {scope} | "
                           f"{p['speedup']:.2f}x | {ratio_text(geo)}x | {ratio_text(float(np.mean(ratios)))}x | "
                           f"{len(ratios)} | {ratio_text(geo / p['speedup'])} |")
    if len(out) == 2:
        raise SystemExit("no 'published' block in the sweeps of these results")
    return "\n".join(out) + "\n"


def plot_compile_times(frame, output):
    """Issue 17: generation, compilation and loading against a layer's nonzeros (targets.compile_times' rows),
    the cases that compiled every module (cold cache): prepare (wall) and nvJitLink summed over modules."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cold = frame[frame["from cache"] == 0]
    if cold.empty:
        raise SystemExit("no codegen case compiled its modules (all from the cubin cache): nothing to plot")
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.scatter(cold["nonzeros"], cold["prepare s"], s=14, label="prepare: generate, compile (parallel), load")
    ax.scatter(cold["nonzeros"], cold["compile s"], s=14, marker="x", label="nvJitLink, summed over modules")
    ax.axhline(10.0, color="grey", linestyle="--", linewidth=1, label="10 s (issue 17 target 9)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("nonzero weights of the layer")
    ax.set_ylabel("seconds")
    ax.set_title(f"codegen compile cost, cold cubin cache ({len(cold)} cases)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    fig.tight_layout()
    fig.savefig(output, dpi=110)
    plt.close(fig)


def plot(frame, kind, output, baseline=None):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if kind == "sparsity":
        groups = list(frame.groupby(["layer", "batch"]))
        fig, axes = plt.subplots(len(groups), 1, figsize=(7, 3.2 * len(groups)), squeeze=False)
        for ax, ((layer, batch), group) in zip(axes[:, 0], groups):
            for (label, mask), series in group.groupby(["label", "mask"]):
                series = series.sort_values("weight_sparsity")
                structured = mask != "uniform"  # e.g. 2:4: one sparsity, drawn as a lone marker
                ax.plot(series["weight_sparsity"], series["median_us"], marker="s" if structured else "o",
                        linestyle="none" if structured else "-", label=f"{label} [{mask}]" if structured else label)
            ax.set_yscale("log")
            ax.set_title(f"{layer}, N = {batch}")
            ax.set_xlabel("weight sparsity")
            ax.set_ylabel("median us")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7)
    elif kind == "roofline":
        fig, ax = plt.subplots(figsize=(7, 5))
        valid = frame.dropna(subset=["minimal_bytes"])
        if valid.empty:
            raise SystemExit("these results carry no minimal_bytes (written before the roofline figures existed)")
        intensity = valid["useful_flops"] / valid["minimal_bytes"]
        for label in sorted(valid["label"].unique()):
            mask = valid["label"] == label
            ax.scatter(intensity[mask], valid["tflops_useful"][mask], s=12, label=label)
        ceilings = valid.dropna(subset=["peak_tflops"])
        if not ceilings.empty:
            x = np.logspace(np.log10(max(intensity.min() / 2, 1e-2)), np.log10(intensity.max() * 2), 100)
            bandwidth = ceilings["bandwidth_gbs"].iloc[0]
            for peak in sorted(ceilings["peak_tflops"].unique()):
                ax.plot(x, np.minimum(peak, bandwidth * x / 1e3), "k--", lw=0.8)
                ax.text(x[-1], peak, f"{peak:.0f}", fontsize=7, va="bottom", ha="right")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("arithmetic intensity (useful FLOP / minimal byte)")
        ax.set_ylabel("useful TFLOP/s")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    elif kind == "speedup":
        if baseline is None:
            raise SystemExit("--kind speedup needs --baseline")
        medians, speedups = speedup_table(frame, baseline)
        speedups = speedups.drop(columns=[baseline])
        # One panel per batch size, bars per layer (and sparsity where swept), log scale around 1x.
        batches = sorted(speedups.index.get_level_values("batch").unique())
        per_panel = max(len(speedups.xs(b, level="batch")) for b in batches)
        fig, axes = plt.subplots(len(batches), 1, figsize=(max(7, 0.3 * per_panel * len(speedups.columns) / 2), 3.6 * len(batches)),
                                 squeeze=False)
        for ax, batch in zip(axes[:, 0], batches):
            panel = speedups.xs(batch, level="batch")
            positions = np.arange(len(panel))
            width = 0.8 / max(1, len(panel.columns))
            for i, label in enumerate(panel.columns):
                ax.bar(positions + i * width, panel[label].values, width, label=label)
            ax.axhline(1.0, color="k", lw=0.8)
            ax.set_yscale("log")
            ax.set_xticks(positions + 0.4 - width / 2)
            ax.set_xticklabels([" ".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))
                                for key in panel.index], rotation=70, ha="right", fontsize=6)
            ax.set_ylabel(f"speedup over {baseline}")
            ax.set_title(f"N = {batch}")
            ax.grid(True, axis="y", which="both", alpha=0.3)
            ax.legend(fontsize=7)
    elif kind == "layouts":
        # Issue 19: where our CHWN conv beats the same family in NCHW, over batch (x) and input channels (y); the
        # param set with more results (the default where both ran), each layout of it paired with the other.
        dense = frame[(frame["backend"] == "direct_dense") & (frame["fuse"] == "none")]
        label = dense["label"].value_counts().sort_index().idxmax() if len(dense) else None
        ours = dense[dense["label"] == label]
        by_layout = ours.pivot_table(index=["layer", "channels", "batch"], columns="layout", values="median_us",
                                     aggfunc="min")
        if not {"NCHW", "CHWN"} <= set(by_layout.columns):
            raise SystemExit("--kind layouts needs direct_dense results in both NCHW and CHWN (configs/papers/li2016.yaml)")
        ratio = (by_layout["NCHW"] / by_layout["CHWN"]).dropna().reset_index(name="ratio")
        fig, ax = plt.subplots(figsize=(7, 5))
        points = ax.scatter(ratio["batch"], ratio["channels"], c=np.log2(ratio["ratio"]), cmap="coolwarm_r",
                            vmin=-3, vmax=3, s=90, edgecolors="k", linewidths=0.4)
        for row in ratio.itertuples():
            ax.annotate(f"{row.ratio:.2f}", (row.batch, row.channels), fontsize=6, xytext=(4, 4),
                        textcoords="offset points")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log", base=2)
        ax.set_xlabel("batch N")
        ax.set_ylabel("input channels C")
        ax.set_title(f"{label}: NCHW time / CHWN time (> 1: CHWN wins)")
        fig.colorbar(points, ax=ax, label="log2 of the ratio")
        ax.grid(True, which="both", alpha=0.3)
    else:
        raise SystemExit(f"unknown plot kind {kind}")
    fig.tight_layout()
    fig.savefig(output)
    plt.close(fig)


def paper(paths, frame, baseline, name, out_dir):
    """Writes every table and figure of one paper sweep; returns the files written."""
    import os
    tables, figures = os.path.join(out_dir, "tables"), os.path.join(out_dir, "figures")
    os.makedirs(tables, exist_ok=True)
    os.makedirs(figures, exist_ok=True)
    medians, speedups = speedup_table(frame, baseline)
    written = []
    text = format_table(medians, speedups, "markdown", baseline)
    try:
        text = published_table(paths, frame) + "\n" + text
    except SystemExit:
        pass  # a sweep without published numbers: the table alone
    for path, content in ((os.path.join(tables, f"{name}.md"), text),
                          (os.path.join(tables, f"{name}.tex"), format_table(medians, speedups, "latex", baseline))):
        write_text(content, path)
        written.append(path)
    swept = frame.groupby(["layer", "batch"])["weight_sparsity"].nunique().max() > 1
    kinds = ["speedup", "roofline"] + (["sparsity"] if swept else [])
    for kind in kinds:
        # PNG only: committed results must stay small (SVG on request: report.py plot -o FILE.svg).
        path = os.path.join(figures, f"{name}.{kind}.png")
        plot(frame, kind, path, baseline)
        written.append(path)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    table = sub.add_parser("table", help="markdown or LaTeX table of medians and speedups")
    table.add_argument("results", nargs="+")
    table.add_argument("--baseline", help="label the speedups are relative to, e.g. 'cudnn fp32'")
    table.add_argument("--format", choices=["markdown", "latex"], default="markdown")
    table.add_argument("-o", "--output")
    table.add_argument("--filter", help="only cases whose key matches this regular expression")
    cross = sub.add_parser("crossover", help="sparsity at which a sparse backend beats a dense one")
    cross.add_argument("results", nargs="+")
    cross.add_argument("--sparse", required=True)
    cross.add_argument("--dense", required=True)
    cross.add_argument("-o", "--output")
    cross.add_argument("--filter", help="only cases whose key matches this regular expression")
    fig = sub.add_parser("plot", help="PNG or SVG plots")
    fig.add_argument("results", nargs="+")
    fig.add_argument("--kind", choices=["sparsity", "roofline", "speedup", "layouts"], required=True)
    fig.add_argument("--baseline")
    fig.add_argument("-o", "--output", required=True)
    fig.add_argument("--filter", help="only cases whose key matches this regular expression, e.g. 'conv4_2 N=32'")
    # Report subcommands that take result files and an optional output file, and nothing else.
    for name, text in (("targets", "issue 5's direct_sparse targets: figure reached and gap per target"),
                       ("library", "issue 4's table: im2col_cusparse crossover vs cuDNN fp32, cuSPARSELt 2:4 speedup"),
                       ("counters", "per-kernel hardware counters: instruction mix, occupancy, stalls"),
                       ("published", "a paper's speedups beside ours"),
                       ("energy", "median and mJ per inference of every configuration with an energy pass"),
                       ("real", "issue 20: each backend on real masks against synthetic masks of the same sparsity"),
                       ("compile", "issue 17: codegen's compile and prepare time against nonzeros, per case")):
        simple = sub.add_parser(name, help=text)
        simple.add_argument("results", nargs="+")
        simple.add_argument("-o", "--output")
    for name, text in (("readme", "rewrite the README's generated blocks from a GPU folder's results (--check: compare)"),
                       ("regenerate", "every table and figure of a GPU folder from its result files")):
        folder = sub.add_parser(name, help=text)
        folder.add_argument("--gpu-dir", required=True, help="e.g. results/h200")
        if name == "readme":
            folder.add_argument("--readme", default="README.md")
            folder.add_argument("--check", action="store_true", help="exit 1 when the README differs from the results")
    tun = sub.add_parser("tuning", help="best-so-far against evaluations per strategy, exhaustive optimum as a line")
    tun.add_argument("results", nargs="+")
    tun.add_argument("-o", "--output", required=True, help="FILE.png or FILE.svg")
    pap = sub.add_parser("paper", help="all tables and figures of a paper sweep")
    pap.add_argument("results", nargs="+")
    pap.add_argument("--baseline", required=True, help="label the speedups are relative to, e.g. 'im2col_cublas fp32'")
    pap.add_argument("--name", required=True, help="file name stem, e.g. escort")
    pap.add_argument("--out-dir", required=True, help="writes OUT_DIR/tables/NAME.* and OUT_DIR/figures/NAME.*")
    args = parser.parse_args(argv)

    if args.command in ("readme", "regenerate"):
        import readme_tables
        if args.command == "readme":
            return readme_tables.readme(args.gpu_dir, args.readme, args.check)
        for path in readme_tables.regenerate(args.gpu_dir):
            print(path)
        return 0
    if args.command == "tuning":
        import tuning_plot
        tuning_plot.plot(args.results, args.output)
        return 0
    if args.command == "counters":  # reads counters straight from the results, not the timing frame
        import targets
        return write_text(targets.counter_table(args.results), args.output)
    if args.command == "compile":  # reads backend_details straight from the results
        import targets
        return write_text(targets.compile_times(args.results)[0], args.output)
    frame = load(args.results, getattr(args, "filter", None))
    if args.command == "plot":
        plot(frame, args.kind, args.output, args.baseline)
        return 0
    if args.command == "paper":
        for path in paper(args.results, frame, args.baseline, args.name, args.out_dir):
            print(path)
        return 0
    if args.command == "published":
        text = published_table(args.results, frame)
    elif args.command == "targets":
        import targets
        text = targets.report(frame)
    elif args.command == "energy":
        import targets
        text = targets.energy(frame)
    elif args.command == "library":
        import targets
        text = targets.library(frame)
    elif args.command == "real":
        import targets
        text = targets.real_vs_synthetic(frame)
    elif args.command == "table":
        medians, speedups = speedup_table(frame, args.baseline)
        text = format_table(medians, speedups, args.format, args.baseline)
    else:
        labels = set(frame["label"])
        for name in (args.sparse, args.dense):
            if name not in labels:
                raise SystemExit(f"label '{name}' not in the results; labels: {', '.join(sorted(labels))}")
        text = format_crossovers(crossovers(frame, args.sparse, args.dense), args.sparse, args.dense)
    return write_text(text, args.output)


def write_text(text, output):
    if output:
        with open(output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
