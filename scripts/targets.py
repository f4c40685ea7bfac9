"""Answers to the issues' questions from result files: issue 5's direct_sparse targets, issue 17's codegen targets,
issue 16's dual_sparse targets (configs/targets/*.yaml), issue 4's library table (configs/crossover/library.yaml), and the
per-kernel counter table (instruction mix, occupancy, stalls) of any result with counters.

Every ratio pairs two cases of the same layer, batch and sparsity measured in the same run. Where a
backend ran with several param sets (im2col_cusparse's algorithms, direct_sparse tile choices), the
fastest verified one counts, as a tuner would pick it.
"""
import math

import numpy as np
import pandas as pd

from results_io import label_of, results_of

ESCORT_SET = ("caffenet/", "googlenet/", "resnet50/")
RESNET50_1X1 = r"resnet50/res\d[a-f]_branch(1|2a|2c)$"  # issue 17 target 5; the Escort set has ResNet-50's 3x3s
VGG_CROSSOVER_LAYERS = [f"vgg19/conv{b}_{i}" for b in (3, 4, 5) for i in (1, 2, 3, 4)]


def best(frame, backend, precision, fuse="none"):
    """Fastest median per (layer, batch, sparsity) over a backend's param sets, conv alone (fuse none) or
    conv + ReLU + max-pool (fuse pool)."""
    rows = frame[(frame["backend"] == backend) & (frame["precision"] == precision) & (frame["fuse"] == fuse)]
    return rows.groupby(["layer", "batch", "weight_sparsity"])["median_us"].min()


def geomean(values):
    values = [v for v in values if v > 0 and math.isfinite(v)]
    return float(np.exp(np.mean(np.log(values)))) if values else float("nan")


def ratio(numerator, denominator):
    common = numerator.index.intersection(denominator.index)
    return (numerator[common] / denominator[common]).sort_index()


def markdown(table):
    """A DataFrame as a markdown table; floats with 2 decimals, missing cells as '-'."""
    def cell(v):
        if isinstance(v, float):
            return "-" if math.isnan(v) else f"{v:.2f}"
        return str(v)
    out = ["| " + " | ".join(map(str, table.columns)) + " |", "|" + "---|" * len(table.columns)]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(out)


def escort_set_rows(frame):
    return frame[frame["layer"].str.startswith(ESCORT_SET) & ~frame["layer"].str.match(RESNET50_1X1)]


class TargetTable:
    """The table of an issue's targets: figure, goal, reached, met, gap."""

    def __init__(self, title=None):
        self.lines = ([title, ""] if title else []) + ["| # | target | goal | reached | met | gap |",
                                                       "|---|---|---|---|---|---|"]
        self.header = len(self.lines)

    def add(self, number, target, goal, reached, met, gap):
        self.lines.append(
            f"| {number} | {target} | {goal} | {reached} | {'yes' if met else 'NO'} | {gap if not met else '-'} |")

    def empty(self):
        return len(self.lines) == self.header

    def text(self):
        return "\n".join(self.lines)


def report(frame):
    goals = TargetTable()
    add = goals.add
    details = []

    escort = escort_set_rows(frame)
    ours = best(escort, "direct_sparse", "fp32")
    if len(ours):
        over_cusparse = ratio(best(escort, "im2col_cusparse", "fp32"), ours)
        over_cublas = ratio(best(escort, "im2col_cublas", "fp32"), ours)
        over_cudnn = ratio(best(escort, "cudnn", "fp32"), ours)
        over_escort = ratio(best(escort, "escort", "fp32"), ours)
        if len(over_cusparse):
            worst = over_cusparse.min()
            passing = int((over_cusparse >= 5).sum())
            add(1, "over best im2col_cusparse, every Escort-set layer, N=1 and 32", ">= 5x each",
                f"min {worst:.2f}x, geomean {geomean(over_cusparse):.2f}x; {passing}/{len(over_cusparse)} >= 5x",
                passing == len(over_cusparse), f"min is {5 / worst:.2f}x short")
        if len(over_cublas):
            g = geomean(over_cublas)
            add(2, "geomean over im2col_cublas fp32, Escort set", ">= 4x", f"{g:.2f}x ({len(over_cublas)} pairs)",
                g >= 4, f"{4 / g:.2f}x short")
        for batch, goal in ((32, 3.0), (1, 2.0)):
            sel = over_cudnn[over_cudnn.index.get_level_values("batch") == batch]
            if len(sel):
                g = geomean(sel)
                add(3, f"geomean over cuDNN fp32 (TF32 off), Escort set, N={batch}", f">= {goal:g}x",
                    f"{g:.2f}x ({len(sel)} layers)", g >= goal, f"{goal / g:.2f}x short")
        if len(over_escort):
            losing = over_escort[over_escort <= 1]
            add(7, "direct_sparse faster than escort on every layer", "every layer",
                f"{len(over_escort) - len(losing)}/{len(over_escort)}; min {over_escort.min():.2f}x, "
                f"geomean {geomean(over_escort):.2f}x", len(losing) == 0, f"{len(losing)} slower")
        table = pd.DataFrame({"direct_sparse us": ours, "x escort": over_escort, "x im2col_cusparse (best)": over_cusparse,
                              "x im2col_cublas": over_cublas, "x cudnn fp32": over_cudnn})
        details.append("Escort set (speedup of direct_sparse fp32 over each backend, same run):\n\n" +
                       markdown(table.reset_index()))

    vgg = frame[frame["layer"].str.startswith("vgg19/")]
    ours32 = best(vgg, "direct_sparse", "fp32")
    if len(ours32):
        add_tflops_target(goals, 4, vgg, "direct_sparse", 25)
        add_crossover_target(goals, 5, vgg_crossings(ours32, best(vgg, "cudnn", "fp32")),
                             "crossover vs cuDNN fp32, VGG-19 conv3_1..conv5_4, N=32", 0.6)
    ours16 = best(vgg, "direct_sparse", "fp16")
    tf32 = best(vgg, "cudnn", "tf32")
    at95 = ratio(tf32, ours16)
    at95 = at95[at95.index.get_level_values("weight_sparsity") == 0.95]
    if len(at95):
        wins = int((at95 > 1).sum())
        add(6, "direct_sparse fp16 beats cuDNN tf32 at 95%, every VGG-19 layer, N=32", "every layer",
            f"{wins}/{len(at95)}; min {at95.min():.2f}x, geomean {geomean(at95):.2f}x", wins == len(at95),
            f"worst layer needs {1 / at95.min():.2f}x")
        details.append("VGG-19 N=32 at 95%: cuDNN tf32 median / direct_sparse fp16 median:\n\n" +
                       markdown(at95.reset_index(name="speedup")))
    if "mj_per_op" in frame and frame["mj_per_op"].notna().any():
        details.append("Energy at N=32 (median us and mJ per inference = mJ per op / N, same run):\n\n" + energy(frame))
    codegen = "\n".join(part for part in (codegen_report(frame), dual_sparse_report(frame), tuner_report(frame),
                                           layout_report(frame), operators_report(frame)) if part)
    if goals.empty() and not details and not codegen:
        raise SystemExit("no direct_sparse, codegen, dual_sparse, tuned, layout, pooling or softmax results of the "
                         "target sweeps in these files")
    text = ""
    if not goals.empty() or details:
        text = goals.text() + "\n\n" + "\n\n".join(details) + "\n"
    return text + ("\n" if text and codegen else "") + codegen


def vgg_crossings(sparse, dense):
    """(layer, crossover or None, ...) per VGG-19 conv3_1..conv5_4: the lowest swept sparsity from which
    `sparse` is faster than `dense` at every higher one."""
    crossings = []
    for layer in VGG_CROSSOVER_LAYERS:
        s = sparse[sparse.index.get_level_values("layer") == layer]
        d = dense[dense.index.get_level_values("layer") == layer]
        r = ratio(d, s)  # > 1: sparse wins
        if not len(r):
            continue
        sparsities = list(r.index.get_level_values("weight_sparsity"))
        wins = list(r.values > 1)
        point = None
        for i in range(len(sparsities)):
            if all(wins[i:]):
                point = sparsities[i]
                break
        crossings.append((layer, point, sparsities[0], sparsities[-1], r.values[-1]))
    return crossings


def add_tflops_target(goals, number, vgg, backend, goal):
    """Useful TFLOP/s of the backend's fastest fp32 case on VGG-19 conv4_2 at 90%, N = 32."""
    rows = vgg[(vgg["backend"] == backend) & (vgg["precision"] == "fp32") & (vgg["layer"] == "vgg19/conv4_2") &
               (vgg["batch"] == 32) & np.isclose(vgg["weight_sparsity"], 0.9)]
    if len(rows):
        tf = float(rows["tflops_useful"].max())
        goals.add(number, "useful TFLOP/s, VGG-19 conv4_2, 90%, N=32", f">= {goal:g}", f"{tf:.1f}", tf >= goal,
                  f"{goal / tf:.2f}x short")


def add_crossover_target(goals, number, crossings, target, limit):
    """Every layer's crossover at `limit` sparsity or lower."""
    if not crossings:
        return
    ok = [c for c in crossings if c[1] is not None and c[1] <= limit + 1e-9]
    text = ", ".join(f"{c[0].split('/')[1]} {('none' if c[1] is None else f'{c[1]:g}')}" for c in crossings)
    goals.add(number, target, f"<= {limit:g} each", f"{len(ok)}/{len(crossings)} layers; {text}",
              len(ok) == len(crossings), f"{len(crossings) - len(ok)} layers cross above {limit:g}")


def codegen_report(frame):
    """Issue 17's targets for the generated kernels; empty when the files hold no codegen result."""
    rows = frame[(frame["backend"] == "codegen") & (frame["precision"] == "fp32")]
    if not len(rows):
        return ""
    goals = TargetTable("codegen targets (issue 17):")
    add = goals.add

    vgg = frame[frame["layer"].str.startswith("vgg19/")]
    ours = best(vgg, "codegen", "fp32")
    add_tflops_target(goals, 1, vgg, "codegen", 40)
    add_crossover_target(goals, 2, vgg_crossings(ours, best(vgg, "cudnn", "fp32")) if len(ours) else [],
                         "crossover vs best cuDNN fp32, VGG-19 conv3_1..conv5_4, N=32", 0.75)
    escort = escort_set_rows(frame)
    mine = best(escort, "codegen", "fp32")
    for number, baseline, per_batch in ((3, "cudnn", ((32, 3.0), (1, 2.0))),
                                        (4, "im2col_cusparse", ((32, 3.0), (1, 1.5)))):
        over = ratio(best(escort, baseline, "fp32"), mine)
        for batch, goal in per_batch:
            sel = over[over.index.get_level_values("batch") == batch]
            if len(sel):
                g = geomean(sel)
                add(number, f"geomean over best {baseline} fp32, Escort set, N={batch}", f">= {goal:g}x",
                    f"{g:.2f}x ({len(sel)} layers)", g >= goal, f"{goal / g:.2f}x short")
    add_geomean_targets(goals, 5, frame[frame["layer"].str.match(RESNET50_1X1)
                                         & np.isclose(frame["weight_sparsity"], 0.95)],
                        "ResNet-50 1x1 at 95%", ((32, "cudnn", 2.0), (32, "im2col_cusparse", 3.0)))
    add_fp16_target(goals, 6, vgg)
    add_geomean_targets(goals, 7, frame[frame["layer"].str.startswith("dong2020/")],
                        "Dong et al.'s 10 operators, sparsity 0.1-0.9", ((64, "escort", 4.0), (1, "escort", 2.0)))
    untuned = frame[frame["layer"].str.startswith("untuned/")]
    over_escort = ratio(best(untuned, "escort", "fp32"), best(untuned, "codegen", "fp32"))
    if len(over_escort):
        losing = over_escort[over_escort < 1]
        add(8, "codegen at least as fast as escort (shapes nobody tuned for, N=7 and 128)", "every case",
            f"{len(over_escort) - len(losing)}/{len(over_escort)}; min {over_escort.min():.2f}x",
            len(losing) == 0, f"{len(losing)} slower")
    add_compile_targets(goals, 9, frame[((frame["backend"] == "codegen") & frame["compile_ms"].notna())
                                        & (frame["layer"].str.startswith("vgg19/")
                                           | frame["layer"].str.startswith(ESCORT_SET))])
    return "" if goals.empty() else goals.text() + "\n"  # codegen only as another sweep's comparison: no table


def add_compile_targets(goals, number, rows):
    """Generating, compiling and loading a layer's kernels (prepare) with a cold cubin cache, median per case;
    with a warm one, no module compiled."""
    cold = rows[rows["modules_from_cache"] == 0]
    if len(cold):
        median = float(cold["prepare_us"].median()) / 1e6
        add = goals.add
        add(number, "generate, compile and load a layer (prepare), cold cubin cache, VGG-19 and Escort sets",
            "<= 10 s median", f"{median:.2f} s median, {float(cold['prepare_us'].max()) / 1e6:.1f} s max "
            f"({len(cold)} cases)", median <= 10.0, f"{median / 10.0:.2f}x over")
    warm = rows[rows["modules_from_cache"] == rows["modules"]]
    if len(warm):
        compiled = int((warm["compile_ms"] > 0).sum())
        goals.add(number, "the same with every module in the cache", "nothing compiled",
                  f"{compiled} of {len(warm)} cases compiled", compiled == 0, f"{compiled} compiled")


def add_geomean_targets(goals, number, rows, what, goals_per_batch):
    """Geomean of codegen fp32's speedup over a baseline's fastest fp32 case, per (batch, baseline, goal)."""
    ours = best(rows, "codegen", "fp32")
    if not len(ours):
        return
    for batch, baseline, goal in goals_per_batch:
        over = ratio(best(rows, baseline, "fp32"), ours)
        sel = over[over.index.get_level_values("batch") == batch]
        if len(sel):
            g = geomean(sel)
            goals.add(number, f"geomean over best {baseline} fp32, {what}, N={batch}", f">= {goal:g}x",
                      f"{g:.2f}x ({len(sel)} cases)", g >= goal, f"{goal / g:.2f}x short")


def add_fp16_target(goals, number, vgg):
    """codegen fp16 beats cuDNN tf32 at 95% on every VGG-19 layer (N = 32); moonshot: cuDNN fp16, best layout."""
    at95 = vgg[np.isclose(vgg["weight_sparsity"], 0.95) & (vgg["batch"] == 32)]
    ours = best(at95, "codegen", "fp16")
    if not len(ours):
        return
    for precision, label in (("tf32", "cuDNN tf32"), ("fp16", "cuDNN fp16, best layout (moonshot)")):
        over = ratio(best(at95, "cudnn", precision), ours)
        if len(over):
            losing = over[over < 1]
            goals.add(number, f"codegen fp16 faster than {label}, VGG-19 conv3_1..conv5_4, 95%, N=32", "every layer",
                      f"{len(over) - len(losing)}/{len(over)}; min {over.min():.2f}x, geomean {geomean(over):.2f}x",
                      len(losing) == 0, f"{len(losing)} slower")


def tuner_report(frame):
    """Issue 18 target 4: direct_sparse, tuned by the run, never slower than escort on shapes nobody tuned
    for (layers/untuned.yaml); empty without such results."""
    untuned = frame[frame["layer"].str.startswith("untuned/")]
    over_escort = ratio(best(untuned, "escort", "fp32"), best(untuned, "direct_sparse", "fp32"))
    if not len(over_escort):
        return ""
    goals = TargetTable("tuner targets (issue 18):")
    losing = over_escort[over_escort < 1]
    goals.add(4, "direct_sparse (params: auto) at least as fast as escort, shapes nobody tuned for, N=7 and 128",
              "every case", f"{len(over_escort) - len(losing)}/{len(over_escort)}; min {over_escort.min():.2f}x, "
              f"geomean {geomean(over_escort):.2f}x", len(losing) == 0, f"{len(losing)} slower")
    return goals.text() + "\n"


def layout_report(frame):
    """Issue 19 target 3 (configs/papers/li2016.yaml): our dense direct conv in CHWN against the same family in
    NCHW, per layer (C) and batch, beside the best cuDNN (NCHW or NHWC); one table per param set of direct_dense
    (each pairs its own CHWN and NCHW: no pick afterwards between param sets); empty without direct_dense
    results."""
    dense = frame[(frame["backend"] == "direct_dense") & (frame["precision"] == "fp32") & (frame["fuse"] == "none")]
    if not len(dense) or not set(dense["layout"]) >= {"NCHW", "CHWN"}:
        return ""
    key = ["layer", "channels", "batch"]
    cudnn = frame[(frame["backend"] == "cudnn") & (frame["precision"] == "fp32") & (frame["fuse"] == "none")]
    goals = TargetTable("layout targets (issue 19):")
    parts = []
    for label in sorted(dense["label"].unique()):
        ours = dense[dense["label"] == label]
        by_layout = ours.pivot_table(index=key, columns="layout", values="median_us", aggfunc="min")
        if not {"NCHW", "CHWN"} <= set(by_layout.columns):
            continue
        table = pd.DataFrame({"NCHW us": by_layout["NCHW"], "CHWN us": by_layout["CHWN"]})
        table["CHWN over NCHW"] = table["NCHW us"] / table["CHWN us"]
        table["best cudnn us"] = cudnn.groupby(key)["median_us"].min().reindex(table.index)
        table["CHWN over cudnn"] = table["best cudnn us"] / table["CHWN us"]
        table = table.dropna(subset=["CHWN over NCHW"]).reset_index().sort_values(["channels", "layer", "batch"])
        scope = table[(table["channels"] <= 16) & (table["batch"] >= 64)]
        if len(scope):
            losing = scope[scope["CHWN over NCHW"] <= 1]
            goals.add(3, f"our CHWN conv beats our NCHW conv of the same family wherever C <= 16 and N >= 64 "
                      f"({label})", "every case",
                      f"{len(scope) - len(losing)}/{len(scope)}; min {scope['CHWN over NCHW'].min():.2f}x",
                      len(losing) == 0,
                      "loses on " + ", ".join(f"{r.layer} N={r.batch}" for r in losing.itertuples()))
        wins = table[table["CHWN over NCHW"] > 1]
        rule = ("CHWN wins on " + ", ".join(f"C={c}: N>={int(n)}"
                                            for c, n in wins.groupby("channels")["batch"].min().items())
                if len(wins) else "CHWN wins nowhere")
        parts.append(f"Where CHWN wins ({label}, same run): " + rule + "\n\n" + markdown(table))
    if not parts:
        return ""
    return goals.text() + "\n\n" + "\n\n".join(parts) + "\n"


def fastest(frame, backend, index):
    rows = frame[frame["backend"] == backend]
    return rows.groupby(index)["median_us"].min()


def fraction_of_fastest(frame, backend, index):
    """Each group's copy_bandwidth_fraction of the backend's fastest case in it."""
    rows = frame[frame["backend"] == backend].sort_values("median_us")
    return rows.groupby(index)["copy_bandwidth_fraction"].first()


def operators_report(frame):
    """Issue 19 targets 1 and 2 (configs/targets/pooling.yaml, softmax.yaml): our pooling and softmax against
    cuDNN's (and Caffe's softmax), each at its fastest layout, and their share of the measured copy bandwidth;
    empty without pool_direct or softmax_fused results."""
    if "op" not in frame:
        return ""
    goals = TargetTable("pooling and softmax targets (issue 19):")
    details = []
    pool = frame[(frame["op"] == "pool") & (frame["batch"] == 128) & (frame["precision"] == "fp32")]
    ours = fastest(pool, "pool_direct", ["layer", "batch"])
    if len(ours):
        over_cudnn = ratio(fastest(pool, "cudnn_pool", ["layer", "batch"]), ours)
        if len(over_cudnn):
            slow = over_cudnn[over_cudnn < 0.97]
            goals.add(1, "pool_direct (best layout) at most 3% slower than cudnn_pool (best layout), every pooling "
                      "layer, N=128", "every layer", f"{len(over_cudnn) - len(slow)}/{len(over_cudnn)}; min "
                      f"{over_cudnn.min():.2f}x, faster on {int((over_cudnn > 1).sum())}", len(slow) == 0,
                      f"{len(slow)} more than 3% slower")
        bytes_ = pool[pool["backend"] == "pool_direct"].groupby(["layer", "batch"])["minimal_bytes"].first()
        share = fraction_of_fastest(pool, "pool_direct", ["layer", "batch"])
        big = share[bytes_.reindex(share.index) >= 64e6].dropna()
        if len(big):
            low = big[big < 0.8]
            goals.add(1, "pool_direct's share of the measured copy bandwidth, layers moving >= 64 MB", ">= 80% each",
                      f"{len(big) - len(low)}/{len(big)}; min {big.min():.0%}", len(low) == 0, f"{len(low)} below")
        table = pd.DataFrame({"MB": bytes_ / 1e6, "pool_direct us": ours, "x cudnn_pool": over_cudnn,
                              "copy bandwidth share": share})
        details.append("Pooling, N=128, fp32 (each backend at its fastest layout; same run):\n\n" +
                       markdown(table.reset_index()))
    soft = frame[frame["op"] == "softmax"]
    index = ["layer", "batch", "precision"]
    ours = fastest(soft, "softmax_fused", index)
    if len(ours):
        others = pd.concat([fastest(soft, "cudnn_softmax", index), fastest(soft, "softmax_caffe", index)],
                           axis=1).min(axis=1)
        over_best = ratio(others, ours)
        bytes_ = soft[soft["backend"] == "softmax_fused"].groupby(index)["minimal_bytes"].first() / 2  # the input
        large = over_best[bytes_.reindex(over_best.index) >= 1e6]
        small = over_best[bytes_.reindex(over_best.index) < 1e6]
        if len(large):
            losing = large[large <= 1]
            goals.add(2, "softmax_fused beats cuDNN and Caffe's five kernels, tensors >= 1 MB", "every tensor",
                      f"{len(large) - len(losing)}/{len(large)}; min {large.min():.2f}x", len(losing) == 0,
                      f"{len(losing)} not faster")
        if len(small):
            far = small[small < 1 / 1.1]
            goals.add(2, "softmax_fused within 10% of the faster of cuDNN and Caffe, tensors < 1 MB", "every tensor",
                      f"{len(small) - len(far)}/{len(small)}; min {small.min():.2f}x", len(far) == 0,
                      f"{len(far)} more than 10% slower")
        share = fraction_of_fastest(soft, "softmax_fused", index)
        big = share[bytes_.reindex(share.index) >= 64e6].dropna()
        if len(big):
            low = big[big < 0.8]
            goals.add(2, "softmax_fused's share of the measured copy bandwidth, tensors >= 64 MB", ">= 80% each",
                      f"{len(big) - len(low)}/{len(big)}; min {big.min():.0%}", len(low) == 0, f"{len(low)} below")
        table = pd.DataFrame({"input MB": bytes_ / 1e6, "softmax_fused us": ours,
                              "x cudnn_softmax": ratio(fastest(soft, "cudnn_softmax", index), ours),
                              "x softmax_caffe": ratio(fastest(soft, "softmax_caffe", index), ours),
                              "copy bandwidth share": share})
        details.append("Softmax (same run):\n\n" + markdown(table.reset_index()))
    if goals.empty():
        return ""
    return goals.text() + "\n\n" + "\n\n".join(details) + "\n"


VGG16_DUAL_LAYERS = [f"vgg16/conv{b}_{i}" for b in (3, 4, 5) for i in (1, 2, 3)]
VGG19_POOLED_BLOCKS = ["vgg19/conv1_2", "vgg19/conv2_2", "vgg19/conv3_4", "vgg19/conv4_4", "vgg19/conv5_4"]


def dual_sparse_report(frame):
    """Issue 16's targets 1 and 4 for dual_sparse, per activation pattern (the zeros as whole channels, or
    scattered); empty when the files hold no dual_sparse result."""
    rows = frame[(frame["backend"] == "dual_sparse") & (frame["precision"] == "fp32")]
    if not len(rows):
        return ""
    goals = TargetTable("dual_sparse targets (issue 16):")
    key = ["layer", "batch", "weight_sparsity", "activation_sparsity"]
    skip_gain = []
    for pattern in sorted(set(rows["activation_pattern"])):
        same = frame[(frame["activation_pattern"] == pattern) & (frame["precision"] == "fp32")]

        def fastest(backend, fuse="none"):
            return same[(same["backend"] == backend) & (same["fuse"] == fuse)].groupby(key)["median_us"].min()

        ours, where = fastest("dual_sparse"), f"activation zeros {pattern}"
        vgg = ours[ours.index.get_level_values("layer").isin(VGG16_DUAL_LAYERS)]
        over_cudnn = ratio(fastest("cudnn"), vgg)
        for batch, goal in ((32, 1.5), (1, 2.0)):
            sel = over_cudnn[over_cudnn.index.get_level_values("batch") == batch]
            if len(sel):
                g = geomean(sel)
                goals.add(1, f"geomean over best cuDNN fp32, VGG-16 conv3_1..conv5_3, Han et al.'s sparsities, "
                          f"N={batch}, {where}", f">= {goal:g}x", f"{g:.2f}x ({len(sel)} layers)", g >= goal,
                          f"{goal / g:.2f}x short")
        over_ecr = ratio(fastest("ecr"), ours)
        if len(over_ecr):
            losing = over_ecr[over_ecr <= 1]
            goals.add(4, f"dual_sparse faster than ecr, {where}", "every case",
                      f"{len(over_ecr) - len(losing)}/{len(over_ecr)}; min {over_ecr.min():.2f}x, "
                      f"geomean {geomean(over_ecr):.2f}x", len(losing) == 0, f"{len(losing)} slower")
        fused = fastest("dual_sparse", "pool")
        pooled = fused[fused.index.get_level_values("layer").isin(VGG19_POOLED_BLOCKS)]
        over_cudnn_pool = ratio(fastest("cudnn", "pool"), pooled)
        if len(over_cudnn_pool):
            short = over_cudnn_pool[over_cudnn_pool < 2.0]
            goals.add(2, f"dual_sparse+pool over cuDNN conv+ReLU+pool, VGG-19 pooled blocks, {where}", ">= 2x each",
                      f"{len(over_cudnn_pool) - len(short)}/{len(over_cudnn_pool)}; min {over_cudnn_pool.min():.2f}x",
                      len(short) == 0, f"min is {2.0 / over_cudnn_pool.min():.2f}x short")
        # Unfused dual_sparse + a pool takes at least the unfused conv's time: beating that bounds the real gain.
        over_unfused = ratio(ours, pooled)
        if len(over_unfused):
            def goal_for(layer):  # the largest intermediate maps must gain, the others never lose
                return 1.2 if layer in VGG19_POOLED_BLOCKS[:2] else 1.0
            values = [(index[0], value) for index, value in over_unfused.items()]
            below = [layer.split("/")[1] for layer, value in values if value < goal_for(layer)]
            goals.add(2, f"dual_sparse+pool over unfused dual_sparse conv alone (a lower bound of conv + pool), {where}",
                      ">= 1.2x on conv1_2, conv2_2; >= 1x elsewhere",
                      ", ".join(f"{layer.split('/')[1]} {value:.2f}x" for layer, value in values), not below,
                      "below on " + ", ".join(below))
        over_codegen = ratio(fastest("codegen"), ours)
        if len(over_codegen):  # what skipping the dead channels buys over the same kernels without it
            skip_gain.append(f"| {pattern} | {geomean(over_codegen):.2f}x | {over_codegen.min():.2f}x | "
                             f"{over_codegen.max():.2f}x | {len(over_codegen)} |")
    text = goals.text() + "\n"
    if skip_gain:
        text += ("\ndual_sparse over codegen (the same kernels without the skip), same run:\n\n"
                 "| activation zeros | geomean | min | max | cases |\n|---|---|---|---|---|\n" + "\n".join(skip_gain) + "\n")
    return text


def energy(frame):
    """Per layer and batch: each configuration's median and its energy per inference (NVML energy counter)."""
    rows = frame[frame["mj_per_op"].notna()]
    if not len(rows):
        raise SystemExit("no result with energy in these files (run a sweep with measure: {energy_s: 1.0})")
    table = {}
    for r in rows.itertuples(index=False):
        entry = table.setdefault((r.layer, r.batch), {"layer": r.layer, "N": r.batch})
        entry[f"{r.label} us"] = r.median_us
        entry[f"{r.label} mJ/inf"] = r.mj_per_op / r.batch
    return markdown(pd.DataFrame(list(table.values()))) + "\n"


def lowest_winning_sparsity(dense, sparse, layer, batch):
    """The lowest swept sparsity from which sparse beats dense at every higher one: text for the table."""
    r = ratio(dense, sparse)
    r = r[(r.index.get_level_values("layer") == layer) & (r.index.get_level_values("batch") == batch)]
    sparsities = list(r.index.get_level_values("weight_sparsity"))
    wins = list(r.values > 1)
    lowest = next((sparsities[i] for i in range(len(sparsities)) if all(wins[i:])), None)
    return "-" if not len(r) else ("none up to %g" % sparsities[-1] if lowest is None else f"{lowest:g}")


def library(frame):
    """Per layer and batch: the lowest swept sparsity from which im2col_cusparse fp32 beats cuDNN fp32 at every
    higher swept sparsity, and cuSPARSELt's 2:4 speedup over the faster dense fp16 backend on the same weights.
    cuDNN's algorithm is cudnnFind's pick per case, and that pick flips between close algorithms from one
    case to the next; a dense op's time does not depend on the weight values, so the crossing is also given
    against the fastest cuDNN fp32 median of the layer and batch over the sweep."""
    uniform = frame[frame["mask"] == "uniform"]
    sparse = best(uniform, "im2col_cusparse", "fp32")
    dense = best(uniform, "cudnn", "fp32")
    dense_fastest = dense.groupby(level=["layer", "batch"]).transform("min")
    nm = frame[frame["mask"] == "nm2:4"]
    lt = best(nm, "cusparselt", "fp16")
    dense16 = pd.concat([best(nm, "cudnn", "fp16"), best(nm, "im2col_cublas", "fp16")], axis=1).min(axis=1)
    rows = []
    keys = sorted(set((l, b) for l, b, _ in sparse.index) | set((l, b) for l, b, _ in lt.index))
    for layer, batch in keys:
        s = ratio(dense16, lt)
        s = s[(s.index.get_level_values("layer") == layer) & (s.index.get_level_values("batch") == batch)]
        rows.append({"layer": layer, "N": batch,
                     "im2col_cusparse fp32 beats cuDNN fp32 from": lowest_winning_sparsity(dense, sparse, layer, batch),
                     "... its fastest algorithm for the layer": lowest_winning_sparsity(dense_fastest, sparse, layer,
                                                                                        batch),
                     "cuSPARSELt 2:4 over best dense fp16": float(s.iloc[0]) if len(s) else float("nan")})
    if not rows:
        raise SystemExit("no im2col_cusparse or cusparselt results in these files")
    return markdown(pd.DataFrame(rows)) + "\n"


SHORT_NAMES = {
    "sm__inst_executed.sum": "warp inst",
    "sm__inst_executed_pipe_fma.sum": "FMA pipe",
    "sm__inst_executed_pipe_lsu.sum": "LSU pipe",
    "sm__inst_executed_pipe_alu.sum": "ALU pipe",
    "sm__sass_thread_inst_executed_op_ffma_pred_on.sum": "FFMA (thread)",
    "l1tex__data_pipe_lsu_wavefronts_mem_shared.sum": "smem wavefronts",
    "l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum": "smem conflicts",
    "sm__warps_active.avg.pct_of_peak_sustained_active": "occupancy %",
    "smsp__issue_active.avg.pct_of_peak_sustained_active": "issue active %",
    "gpu__time_duration.sum": "ns (profiled)",
}


def counter_table(paths):
    """One row per kernel of every case that carries counters; FMA share = FMA-pipe / all warp instructions."""
    rows = []
    for path in paths:
        for r in results_of(path):
            counters = r.get("counters") or {}
            if "kernels" not in counters:
                continue
            c = r["case"]
            for i, kernel in enumerate(counters["kernels"]):
                values = kernel["values"]
                row = {"case": f"{c['network']}/{c['layer']} N={c['batch']} {label_of(c)}",
                       "kernel": (kernel.get("name") or f"#{i}")[:40]}
                for metric, value in values.items():
                    name = SHORT_NAMES.get(metric, metric.replace("smsp__warp_issue_stalled_", "stall ")
                                           .replace("_per_warp_active.pct", " %"))
                    row[name] = value
                total = values.get("sm__inst_executed.sum")
                if total:
                    for metric, label in (("sm__inst_executed_pipe_fma.sum", "FMA share"),
                                          ("sm__inst_executed_pipe_lsu.sum", "LSU share")):
                        if metric in values:
                            row[label] = values[metric] / total
                rows.append(row)
    if not rows:
        raise SystemExit("no result with counters in " + ", ".join(paths))
    return markdown(pd.DataFrame(rows)) + "\n"


def real_vs_synthetic(frame):
    """Issue 20: each backend on a real pruned layer (mask 'weights') against the same layer with synthetic
    masks at the same sparsity (uniform, channel_imbalanced), same input, same run or the twin sweep.
    x > 1: the backend is faster on the real mask."""
    key = ["layer", "batch", "label", "activation_sparsity"]
    real = frame[frame["mask"] == "weights"].set_index(key)
    if not len(real):
        raise SystemExit("no real-weights results (mask 'weights') in these files")
    table = pd.DataFrame({"weight sparsity": real["weight_sparsity"], "real us": real["median_us"]})
    for mask in ("uniform", "channel_imbalanced"):
        synthetic = frame[frame["mask"] == mask].set_index(key)["median_us"]
        table[f"{mask} us"] = synthetic.reindex(table.index)
        table[f"x vs {mask}"] = table[f"{mask} us"] / table["real us"]
    return markdown(table.reset_index().drop(columns=["activation_sparsity"])) + "\n"


def compile_times(paths):
    """Issue 17: what generating and compiling cost per codegen case, against its nonzeros (from
    backend_details): a markdown table, and the rows for a plot."""
    rows = []
    for path in paths:
        for r in results_of(path):
            c, d = r["case"], r.get("backend_details") or {}
            if c["backend"] != "codegen" or "nonzeros" not in d:
                continue
            rows.append({"case": f"{c['network']}/{c['layer']} N={c['batch']} ws={c['weight_sparsity']:.2f}",
                         "nonzeros": int(d["nonzeros"]), "blocks": int(d.get("blocks", 0)),
                         "compile s": float(d.get("compile_ms", 0.0)) / 1000.0,
                         "from cache": int(d.get("modules_from_cache", 0)),
                         "prepare s": float(r.get("prepare_us") or 0.0) / 1e6})
    if not rows:
        raise SystemExit("no codegen results with backend_details in " + ", ".join(paths))
    frame = pd.DataFrame(rows).sort_values("nonzeros")
    compiled = frame[frame["from cache"] < frame["blocks"]]
    summary = (f"{len(frame)} codegen cases; median prepare {frame['prepare s'].median():.2f} s"
               + (f", median compile (nvJitLink, summed over blocks) {compiled['compile s'].median():.2f} s over "
                  f"{len(compiled)} cases that compiled" if len(compiled) else ", every module from the cubin cache"))
    return summary + "\n\n" + markdown(frame) + "\n", frame
