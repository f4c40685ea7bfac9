"""The README's figures, computed from the committed result files of one GPU folder, and every table and
figure of that folder regenerated.

  report.py readme --gpu-dir results/h200 [--readme README.md] [--check]
      rewrites each block between <!-- generated:NAME --> and <!-- /generated:NAME --> in the README;
      --check only compares and exits 1 when the README differs (a CPU test runs it)
  report.py regenerate --gpu-dir results/h200
      writes GPU_DIR/tables/*.md|tex and GPU_DIR/figures/*.png|svg from GPU_DIR/*.json.gz

No figure in a generated block is typed by hand: each is computed here from the files named in it.
"""
import math
import os
import re

import numpy as np
import pandas as pd

import report
import targets
from results_io import read_document

QUICK_ROWS = [("vgg19/conv4_2", "cudnn", "fp32"), ("vgg19/conv4_2", "im2col_cublas", "fp32"),
              ("vgg19/conv4_2", "cudnn", "fp16"), ("vgg19/conv4_2", "im2col_cublas", "fp16"),
              ("alexnet/conv2", "cudnn", "fp32"), ("resnet50/res3a_branch2b", "cudnn", "fp32"),
              ("googlenet/inception_3a/3x3", "cudnn", "fp16")]


def path_in(gpu_dir, name):
    path = os.path.join(gpu_dir, name)
    if not os.path.exists(path):
        raise SystemExit(f"{path} is missing: the README's '{name}' figures come from it")
    return path


def geomean(values):
    values = [v for v in values if v > 0 and math.isfinite(v)]
    return float(np.exp(np.mean(np.log(values)))) if values else float("nan")


def status_line(paths):
    """'N cases, all verified' over the files, or the counts of each status."""
    counts = {}
    for path in paths:
        for r in read_document(path)["results"]:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
    total = sum(counts.values())
    if counts.get("ok", 0) == total:
        return f"{total} cases, all verified"
    return f"{total} cases: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))


def provenance(paths):
    """Which GPU and which build made the files, as the files say."""
    tools = set()
    gpus = set()
    for path in paths:
        d = read_document(path)
        tools.add(f"{d['tool']['git_commit']}{' (dirty)' if d['tool'].get('git_dirty') else ''}")
        gpus.add(d["environment"]["gpu"]["name"])
    return f"{', '.join(sorted(gpus))}; tool.git_commit {', '.join(sorted(tools))}"


def block_quick(gpu_dir):
    path = path_in(gpu_dir, "quick.json.gz")
    document = read_document(path)
    frame = report.load([path], r"N=16 ws=0\.9000 .* NCHW")
    details = {}
    for r in document["results"]:
        if r["status"] == "ok":
            details[r["case"]["key"]] = (r.get("backend_details") or {}).get("algorithm", "-")
    keys = {(c["layer"], c["batch"], round(c["weight_sparsity"], 4), c["backend"], c["precision"], c["layout"]): k
            for k, c in ((r["case"]["key"], dict(r["case"], layer=f"{r['case']['network']}/{r['case']['layer']}"))
                         for r in document["results"])}
    out = ["| layer | backend | precision | median us | useful TFLOP/s | cuDNN algorithm |", "|---|---|---|---|---|---|"]
    for layer, backend, precision in QUICK_ROWS:
        row = frame[(frame["layer"] == layer) & (frame["backend"] == backend) & (frame["precision"] == precision) &
                    (frame["batch"] == 16) & (frame["weight_sparsity"] == 0.9) & (frame["layout"] == "NCHW")]
        if not len(row):
            continue
        r = row.iloc[0]
        key = keys.get((layer, 16, 0.9, backend, precision, "NCHW"))
        algorithm = details.get(key, "-") if backend == "cudnn" else "-"
        out.append(f"| {layer} | {backend} | {precision} | {r.median_us:.2f} | {r.tflops_useful:.2f} | {algorithm} |")
    floor = document["environment"].get("timing_floor", {})
    text = (f"`{path}`: {status_line([path])} ({provenance([path])}). Some of its rows (N = 16, 90% weight "
            "sparsity, NCHW; dense backends see the zeros in place):\n\n" + "\n".join(out) + "\n")
    if "median_us" in floor:
        text += (f"\nTiming floor of that run (an empty kernel timed like every case, `environment.timing_floor`): "
                 f"{floor['median_us']:.2f} us in {floor['scope']} scope with a {floor['l2']} L2"
                 + (f", {floor['kernel_scope_median_us']:.2f} us in kernel scope" if "kernel_scope_median_us" in floor
                    else "") + ".\n")
    return text


def block_library(gpu_dir):
    paths = [path_in(gpu_dir, "library.vgg19.json.gz"), path_in(gpu_dir, "library.resnet50.json.gz")]
    frame = report.load(paths)
    table = targets.library(frame)
    rows = [line.split("|")[1:-1] for line in table.splitlines()[2:]]
    crossing = [r for r in rows if not r[2].strip().startswith("none")]
    by_batch = {}
    for r in rows:
        by_batch.setdefault(r[1].strip(), []).append(r)
    lt = {b: [float(r[4]) for r in rs if r[4].strip() not in ("-", "nan")] for b, rs in by_batch.items()}
    wins = sum(1 for r in rows if r[4].strip() not in ("-", "nan") and float(r[4]) > 1)
    lines = [f"`{paths[0]}` and `{paths[1]}`: {status_line(paths)} ({provenance(paths)}).", "",
             f"- **im2col + cuSPARSE (CSR, fp32) against cuDNN fp32:** it beats cuDNN from some swept sparsity on "
             f"{len(crossing)} of {len(rows)} (layer, N) pairs"
             + "".join(f"; at N = {b}: {sum(1 for r in rs if not r[2].strip().startswith('none'))} of {len(rs)}"
                       for b, rs in sorted(by_batch.items(), key=lambda kv: int(kv[0]))) + ".",
             "- **cuSPARSELt 2:4 (fp16) against the faster of cuDNN fp16 and im2col + cuBLAS fp16:** geometric mean "
             + ", ".join(f"{geomean(v):.2f}x at N = {b}" for b, v in sorted(lt.items(), key=lambda kv: int(kv[0])))
             + f"; faster on {wins} of {len(rows)} pairs.",
             "", f"Every pair: `{gpu_dir}/tables/library.md`."]
    return "\n".join(lines) + "\n"


def paper_geomeans(path, ours, baselines):
    frame = report.load([path])
    lines = ["| | N | " + " | ".join(f"over {b}" for b in baselines) + " |", "|---|---|" + "---|" * len(baselines)]
    published = read_document(path)["sweep"].get("published") or {}
    claims = {}
    for p in published.get("speedups", []):
        if not p.get("layer") and not p.get("batch") and p["sparse"].startswith("escort"):
            claims[p["baseline"]] = p["speedup"]
    if claims:
        lines.append(f"| Escort (published; GPU and batch not stated) | | "
                     + " | ".join(f"{claims[b]:.2f}x" if b in claims else "-" for b in baselines) + " |")
    for batch in sorted(frame["batch"].unique(), reverse=True):
        for label in ours:
            cells = [f"{geomean(report.our_speedups(frame, label, b, None, int(batch))):.2f}x" for b in baselines]
            lines.append(f"| `{label}` | {int(batch)} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def block_escort(gpu_dir):
    path = path_in(gpu_dir, "escort.json.gz")
    return (f"`{path}`: {status_line([path])} ({provenance([path])}). Geometric mean of the speedups over the "
            "layers, beside the paper's claim:\n\n" +
            paper_geomeans(path, ["escort fp32", "direct_sparse fp32"], ["im2col_cublas fp32", "im2col_cusparse fp32"]))


def block_papers(gpu_dir):
    dong = path_in(gpu_dir, "dong2020.json.gz")
    pietron = path_in(gpu_dir, "pietron2021.json.gz")
    text = (f"`{dong}`: {status_line([dong])}. Published speedups beside ours (`report.py published`):\n\n"
            + report.published_table([dong], report.load([dong])))
    text += f"\n`{pietron}`: {status_line([pietron])}; no published block (see the sweep's header).\n"
    return text


def block_crossover(gpu_dir):
    lines = []
    for run in (1, 2):
        path = path_in(gpu_dir, f"crossover.run{run}.json.gz")
        d = read_document(path)
        c = d["crossover"]
        dense = [r for r in d["results"] if r["case"]["backend"] != "direct_sparse" and r["status"] == "ok"]
        algos = sorted({(r.get("backend_details") or {}).get("algorithm", "?") for r in dense})
        medians = [r["timing"]["median_us"] for r in dense]
        lines.append(f"| {run} | {c['sparsity_estimate']:.4f} | {c['sparsity_low']:.4f} | {c['sparsity_high']:.4f} | "
                     f"{', '.join(algos)} | {min(medians):.0f}-{max(medians):.0f} |")
    head = ("`scbench crossover --layer vgg19/conv4_2 --batch 32 --sparse direct_sparse --dense cudnn --mask "
            "channel_imbalanced --max-sparsity 0.999 --resolution 0.001`, twice "
            f"(`{gpu_dir}/crossover.run{{1,2}}.json.gz`):\n\n"
            "| run | crossover | sparse loses at | sparse wins at | cuDNN fp32 algorithm | cuDNN median us |\n"
            "|---|---|---|---|---|---|\n")
    return head + "\n".join(lines) + "\n"


def block_targets(gpu_dir):
    """Issue 5's targets: the Escort set with direct_sparse tuned by the run itself (params: auto), and VGG-19,
    whose file still takes the fastest of three tile choices after the run."""
    tuned = [path_in(gpu_dir, "direct_sparse_targets_tuned.json.gz")]
    text = f"{status_line(tuned)} ({provenance(tuned)}):\n\n" + targets.report(report.load(tuned)).split("\n\n")[0]
    vgg = os.path.join(gpu_dir, "direct_sparse_targets_vgg19.json.gz")
    if os.path.exists(vgg):
        text += (f"\n\nVGG-19 (`{vgg}`: {status_line([vgg])}, {provenance([vgg])}; the fastest of three tile "
                 "choices, picked after the run, not yet rerun with `params: auto`):\n\n"
                 + targets.report(report.load([vgg])).split("\n\n")[0])
    return text + "\n"


CODEGEN_FILES = ("codegen_targets.json.gz", "codegen_targets_vgg19.json.gz", "codegen_targets_resnet50_1x1.json.gz",
                 "codegen_targets_fp16.json.gz", "codegen_targets_untuned.json.gz")


def block_codegen(gpu_dir):
    """Issue 17's targets for the generated kernels (target 7 from Dong et al.'s sweep)."""
    paths = [path_in(gpu_dir, name) for name in CODEGEN_FILES]
    frame = report.load(paths + existing(gpu_dir, "dong2020.json.gz"))
    table = targets.codegen_report(frame).split("\n", 2)[2]  # without its title
    return f"{status_line(paths)} ({provenance(paths)}):\n\n{table}"


def block_energy(gpu_dir):
    path = path_in(gpu_dir, "energy.json.gz")
    return (f"`{path}`: {status_line([path])}. Median us and mJ per inference (NVML energy counter, "
            "1 s back to back per case):\n\n" + targets.energy(report.load([path])))


def model_record(name):
    """A pruned network's record from its pipeline (models/NAME.json; no GPU result)."""
    import json
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "models", name + ".json")
    if not os.path.exists(path):
        raise SystemExit(f"{path} is missing: run python3 scripts/models/{name}.py")
    with open(path) as f:
        return json.load(f)


def accuracy_and_sparsity(name, record, reference):
    """The accuracy table and the per-layer sparsity table of a pruned network's record."""
    dense, pruned = record["test_accuracy_dense"], record["test_accuracy_pruned"]
    images = f", {record['train_images']} training images" if "train_images" in record else ""
    lines = [f"`models/{name}.json` ({record['dataset']}, {record['epochs']} epochs dense, "
             f"{record['pruning_steps']} pruning steps of {record['fine_tuning_epochs_per_step']} fine-tuning epochs"
             f"{images}; PyTorch {record['torch']} on {record['device']}):", "",
             "| | test accuracy |", "|---|---|", f"| dense | {dense:.2f}% |",
             f"| pruned | {pruned:.2f}% ({pruned - dense:+.2f} points) |", "",
             f"| layer | weight sparsity | {reference} |", "|---|---|---|"]
    for layer, target in record["target_sparsity"].items():
        lines.append(f"| {layer} | {record['weight_sparsity'][layer]:.3f} | {target:.2f} |")
    return lines


def block_lenet5_fashion(gpu_dir):
    """The pruned LeNet-5's accuracy and sparsities, from the pipeline's own record (no GPU result)."""
    return "\n".join(accuracy_and_sparsity("lenet5_fashion", model_record("lenet5_fashion"),
                                            "Han et al. (LeNet-5)")) + "\n"


def block_vgg_fashion(gpu_dir):
    """The deeper pruned network: accuracy, sparsities, and what its real ReLU maps leave to skip."""
    record = model_record("vgg_fashion")
    lines = accuracy_and_sparsity("vgg_fashion", record, "Han et al. (VGG-16)")
    lines += ["", "Its conv inputs, 32 test images: the fraction of zeros, and of whole planes (one image's channel) "
              "that are zero, which is what dual_sparse skips:", "",
              "| conv input | zeros | dead channel planes |", "|---|---|---|"]
    for layer, stats in record["conv_inputs"].items():
        lines.append(f"| {layer} | {stats['zeros']:.3f} | {stats['dead_channel_planes']:.3f} |")
    return "\n".join(lines) + "\n"


def block_real(gpu_dir):
    """Issue 20: each backend on the pruned networks' real masks against synthetic masks of the same sparsity."""
    parts = []
    for model in ("lenet5_fashion", "vgg_fashion"):
        paths = [path_in(gpu_dir, f"real_{model}.json.gz"), path_in(gpu_dir, f"synthetic_{model}.json.gz")]
        parts.append(f"`{paths[0]}` and `{paths[1]}`: {status_line(paths)} ({provenance(paths)}). Median us on "
                     "the real weights and feature maps, and on synthetic masks of the same sparsity with the same "
                     "feature maps; x > 1: the backend is faster on the real mask:\n\n"
                     + targets.real_vs_synthetic(report.load(paths)))
    return "\n".join(parts)


XU_SETUPS = (("xu2019_authors.json.gz", "the authors': VGG-19's 16 layer sizes as 1-channel maps, N=32 copies of "
              "one map, cuDNN fp16 implicit_precomp_gemm, end to end"),
             ("xu2019.json.gz", "honest: VGG-16 with Han et al.'s sparsities, gpu scope, cold L2, best cuDNN"),
             ("xu2019_vgg19.json.gz", "honest: VGG-19 at activation sparsity 0.5-0.9, gpu scope, cold L2, best cuDNN"))
DUAL_SPARSE_FILES = ("dual_sparse_targets.json.gz", "dual_sparse_targets_uniform.json.gz",
                     "dual_sparse_targets_pool.json.gz")


def block_xu2019(gpu_dir):
    """Issue 16: Xu et al.'s averages in both setups side by side, then dual_sparse's targets."""
    rows = []
    for name, setup in XU_SETUPS:
        path = path_in(gpu_dir, name)
        for line in report.published_table([path], report.load([path])).splitlines():
            cells = [c.strip() for c in line.strip("|").split("|")]
            if len(cells) == 8 and cells[2] == "average over the sweep":
                rows.append(f"| {setup} | {cells[1]} | {cells[3]} | {cells[4]} | {cells[6]} | {cells[7]} |")
    dual = [path_in(gpu_dir, name) for name in DUAL_SPARSE_FILES]
    dual_table = targets.report(report.load(dual)).split("\n\n")[1]
    return ("Published averages beside ours (`report.py published`; per layer in `tables/xu2019*.published.md`; "
            f"{provenance([path_in(gpu_dir, n) for n, _ in XU_SETUPS])}):\n\n"
            "| setup | comparison | published | ours (geomean) | pairs | ours / published |\n"
            "|---|---|---|---|---|---|\n" + "\n".join(rows) +
            f"\n\n`dual_sparse`'s targets ({status_line(dual)}; {provenance(dual)}):\n\n{dual_table}\n")


def block_operators(gpu_dir):
    """Issue 19: the pooling, softmax and layout targets, and the network plans."""
    operators = [path_in(gpu_dir, "pooling.json.gz"), path_in(gpu_dir, "softmax.json.gz")]
    layouts = [path_in(gpu_dir, "li2016.json.gz")]
    text = (f"{status_line(operators + layouts)} ({provenance(operators + layouts)}):\n\n"
            + targets.report(report.load(operators)).split("\n\n")[1] + "\n"
            + "\n".join(targets.report(report.load(layouts)).split("\n\n")[1].splitlines()[2:]) + "\n\n"
            "Target 4, per-network layout plans at N=128 (`scbench plan-layouts`; a sum of measured layer times, "
            "not a run of the network):\n\n"
            "| network | planned us | best single layout | its us | all cuDNN us | planned is faster by |\n"
            "|---|---|---|---|---|---|\n")
    for network in ("alexnet", "vgg16"):
        plan = read_document(path_in(gpu_dir, f"plan_layouts.{network}.json.gz"))
        best = min(plan["single_layout_total_us"].items(), key=lambda item: item[1])
        text += (f"| {network} | {plan['planned_total_us']:.1f} | {best[0]} | {best[1]:.1f} | "
                 f"{plan['all_cudnn_total_us']:.1f} | {best[1] / plan['planned_total_us']:.2f}x |\n")
    return text


BLOCKS = {"quick": block_quick, "real": block_real, "library": block_library, "escort": block_escort, "papers": block_papers,
          "crossover": block_crossover, "targets": block_targets, "codegen": block_codegen, "energy": block_energy,
          "lenet5_fashion": block_lenet5_fashion, "vgg_fashion": block_vgg_fashion, "xu2019": block_xu2019,
          "operators": block_operators}
PATTERN = re.compile(r"(<!-- generated:(\w+) -->\n)(.*?)(<!-- /generated:\2 -->)", re.S)


def render(readme_text, gpu_dir):
    def replace(match):
        name = match.group(2)
        if name not in BLOCKS:
            raise SystemExit(f"README block '{name}' has no generator; known: {', '.join(BLOCKS)}")
        return match.group(1) + BLOCKS[name](gpu_dir) + match.group(4)
    return PATTERN.sub(replace, readme_text)


def readme(gpu_dir, path="README.md", check=False):
    with open(path) as f:
        current = f.read()
    wanted = render(current, gpu_dir)
    if check:
        if wanted != current:
            raise SystemExit(f"{path} differs from its results: run python3 scripts/report.py readme --gpu-dir {gpu_dir}")
        return 0
    with open(path, "w") as f:
        f.write(wanted)
    return 0


def existing(gpu_dir, *names):
    """The named result files of a GPU folder that exist, in the order given."""
    return [p for p in (os.path.join(gpu_dir, n) for n in names) if os.path.exists(p)]


def regenerate(gpu_dir):
    """Every table and figure of a GPU folder from its result files; returns the files written."""
    written = []
    tables = os.path.join(gpu_dir, "tables")
    os.makedirs(tables, exist_ok=True)

    def write(name, text):
        path = os.path.join(tables, name)
        with open(path, "w") as f:
            f.write(text)
        written.append(path)

    for name, baseline in (("escort", "im2col_cublas fp32"), ("dong2020", "im2col_cusparse fp32"),
                           ("pietron2021", "cudnn fp32")):
        path = os.path.join(gpu_dir, f"{name}.json.gz")
        if os.path.exists(path):
            written += report.paper([path], report.load([path]), baseline, name, gpu_dir)
    library = [p for p in (os.path.join(gpu_dir, f"library.{n}.json.gz") for n in ("vgg19", "resnet50"))
               if os.path.exists(p)]
    if library:
        frame = report.load(library)
        write("library.md", targets.library(frame))
        figure = os.path.join(gpu_dir, "figures", "library.sparsity.png")
        report.plot(report.load(library, r"(vgg19/conv4_2|resnet50/res4b_branch2a) .* NCHW"), "sparsity", figure)
        written.append(figure)
    target_files = [p for p in (os.path.join(gpu_dir, n) for n in ("direct_sparse_targets.json.gz",
                                                                   "direct_sparse_targets_vgg19.json.gz"))
                    if os.path.exists(p)]
    if target_files:
        write("direct_sparse_targets.md", targets.report(report.load(target_files)))
    codegen_files = existing(gpu_dir, *CODEGEN_FILES)
    if codegen_files:
        # Target 7 is Dong et al.'s operators, from the paper sweep.
        write("codegen_targets.md", targets.report(report.load(codegen_files + existing(gpu_dir, "dong2020.json.gz"))))
        text, rows = targets.compile_times(codegen_files)
        write("codegen_compile.md", text)
        figure = os.path.join(gpu_dir, "figures", "codegen_compile.png")
        report.plot_compile_times(rows, figure)
        written.append(figure)
    profile = existing(gpu_dir, "codegen_profile.json.gz")
    if profile:  # issue 17: the generated kernels' counters, defaults and one change each
        write("codegen_profile.md", targets.counter_table(profile))
    dual_profile = existing(gpu_dir, "dual_sparse_profile.json.gz")
    if dual_profile:  # issue 16: dual_sparse's counters beside codegen's
        write("dual_sparse_profile.md", targets.counter_table(dual_profile))
    tuned = existing(gpu_dir, "direct_sparse_targets_tuned.json.gz", "direct_sparse_tuned_untuned.json.gz")
    if tuned:  # issue 18: the targets with params: auto, chosen by the run's own tuner
        write("direct_sparse_targets_tuned.md", targets.report(report.load(tuned)))
    replay = existing(gpu_dir, "tuning_replay.json.gz")
    if replay:  # issue 18: best-so-far per strategy against the exhaustive optimum
        import tuning_plot
        figure = os.path.join(gpu_dir, "figures", "tuning.png")
        tuning_plot.plot(replay, figure)
        written.append(figure)
    li2016 = existing(gpu_dir, "li2016.json.gz")
    if li2016:  # issue 19: where CHWN wins, as a table (with target 3) and a figure
        frame = report.load(li2016)
        write("li2016.md", targets.report(frame))
        figure = os.path.join(gpu_dir, "figures", "li2016.layouts.png")
        report.plot(frame, "layouts", figure)
        written.append(figure)
    operators = existing(gpu_dir, "pooling.json.gz", "softmax.json.gz")
    if operators:  # issue 19 targets 1 and 2
        write("operators.md", targets.report(report.load(operators)))
    dual_files = existing(gpu_dir, "dual_sparse_targets.json.gz", "dual_sparse_targets_uniform.json.gz",
                          "dual_sparse_targets_pool.json.gz")
    if dual_files:
        write("dual_sparse_targets.md", targets.report(report.load(dual_files)))
    for model in ("lenet5_fashion", "vgg_fashion"):
        real_files = existing(gpu_dir, f"real_{model}.json.gz", f"synthetic_{model}.json.gz")
        if real_files:
            write(f"{model}.md", targets.real_vs_synthetic(report.load(real_files)))
    for name in ("xu2019_authors", "xu2019", "xu2019_vgg19"):  # the published figures beside ours
        paths = existing(gpu_dir, f"{name}.json.gz")
        if paths:
            write(f"{name}.published.md", report.published_table(paths, report.load(paths)))
    for name, command in (("energy", targets.energy), ):
        path = os.path.join(gpu_dir, f"{name}.json.gz")
        if os.path.exists(path):
            write(f"{name}.md", command(report.load([path])))
    for name, baseline in (("quick", "cudnn fp16"), ("ci-baseline", None)):
        path = os.path.join(gpu_dir, f"{name}.json.gz")
        if os.path.exists(path):
            medians, speedups = report.speedup_table(report.load([path]), baseline)
            write(f"{name}.md", report.format_table(medians, speedups, "markdown", baseline))
    return written
