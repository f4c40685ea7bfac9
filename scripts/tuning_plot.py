"""Best-so-far curves of tuning runs: for each tuned case (a result with a 'tuning' section), the fastest
median found after each evaluation, one line per strategy, and the exhaustive optimum as a dashed line
where an exhaustive search of the same case is among the results."""
import math
import re

from results_io import results_of


def tuning_runs(paths):
    """{case without its tuning marker: [(strategy, best_so_far_us list, evaluations_used)]}"""
    runs = {}
    for path in paths:
        for r in results_of(path):
            tuning = r.get("tuning")
            if not tuning or not tuning.get("best_so_far_us"):
                continue
            case = re.sub(r"\{(tune=[a-z]+|auto)\}", "", r["case"]["key"])
            runs.setdefault(case, []).append((tuning["strategy"], tuning["best_so_far_us"],
                                              tuning.get("evaluations_used", len(tuning["best_so_far_us"]))))
    if not runs:
        raise SystemExit("no tuned result with a best-so-far curve in " + ", ".join(map(str, paths)))
    return runs


def plot(paths, output):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    runs = tuning_runs(paths)
    columns = min(3, len(runs))
    rows = math.ceil(len(runs) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(5 * columns, 3.5 * rows), squeeze=False)
    for ax, (case, curves) in zip(axes.flat, sorted(runs.items())):
        optimum = [min(c) for s, c, _ in curves if s == "exhaustive" and any(math.isfinite(v) for v in c)]
        for strategy, curve, _ in curves:
            if strategy == "exhaustive":
                continue
            points = [(i + 1, v) for i, v in enumerate(curve) if math.isfinite(v)]
            if points:
                ax.plot([p[0] for p in points], [p[1] for p in points], label=strategy)
        if optimum:
            ax.axhline(min(optimum), linestyle="--", color="black", label="exhaustive optimum")
        ax.set_title(case[:60], fontsize=8)
        ax.set_xlabel("evaluations")
        ax.set_ylabel("best median us")
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(runs):]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(output)
    plt.close(fig)
