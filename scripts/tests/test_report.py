"""Tests of scripts/report.py on small result documents written here."""
import json
import math
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import report  # noqa: E402


def result(layer, batch, sparsity, backend, precision, median_us, params=None, status="ok", mask="uniform"):
    case = {"key": f"{layer} N={batch} ws={sparsity:.4f} {mask} {precision} {backend}{params}",
            "network": layer.split("/")[0], "layer": layer.split("/")[1], "batch": batch,
            "weight_sparsity": sparsity, "mask": mask, "precision": precision, "layout": "NCHW",
            "backend": backend, "params": params or {}}
    flops = 1e9 * (1 - sparsity)
    return {"case": case, "status": status,
            "timing": {"median_us": median_us} if status == "ok" else None,
            "derived": {"tflops_useful": flops / (median_us * 1e6), "useful_flops": flops, "minimal_bytes": 1e7,
                        "roofline": {"peak_tflops": 66.9, "bandwidth_gbs": 3352.0}}}


def write(directory, name, results, published=None):
    path = os.path.join(directory, name)
    document = {"results": results, "sweep": {}}
    if published:
        document["sweep"]["published"] = published
    with open(path, "w") as f:
        json.dump(document, f)
    return path


def read(path):
    with open(path) as f:
        return f.read()


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        rows = []
        # Dense takes 100 us at every sparsity; sparse takes 200*(1-s)+10 us: crossing at s = 0.55.
        for s in (0.5, 0.6, 0.7, 0.9):
            rows.append(result("vgg19/conv4_2", 32, s, "cudnn", "fp32", 100.0))
            rows.append(result("vgg19/conv4_2", 32, s, "im2col_cusparse", "fp32", 200 * (1 - s) + 10,
                               params={"format": "csr"}))
            rows.append(result("vgg19/conv5_1", 1, s, "cudnn", "fp32", 10.0))
            rows.append(result("vgg19/conv5_1", 1, s, "im2col_cusparse", "fp32", 50.0, params={"format": "csr"}))
        rows.append(result("vgg19/conv4_2", 32, 0.9, "im2col_cublas", "fp32", 1.0, status="incorrect"))
        published = {"source": "A paper", "speedups": [
            {"sparse": "im2col_cusparse{format=csr} fp32", "baseline": "cudnn fp32", "speedup": 2.0},
            {"sparse": "im2col_cusparse{format=csr} fp32", "baseline": "cudnn fp32", "layer": "vgg19/conv4_2",
             "batch": 32, "speedup": 3.0},
            {"sparse": "escort fp32", "baseline": "cudnn fp32", "speedup": 2.63}]}
        self.path = write(self.dir, "r.json", rows, published)

    def test_labels_and_unverified_results_are_dropped(self):
        frame = report.load([self.path])
        self.assertEqual(sorted(frame["label"].unique()), ["cudnn fp32", "im2col_cusparse{format=csr} fp32"])

    def test_fused_cases_are_labelled_apart(self):
        from results_io import label_of
        case = {"backend": "cudnn", "precision": "fp16", "params": {}}
        self.assertEqual(label_of(case), "cudnn fp16")
        self.assertEqual(label_of(dict(case, fuse="none")), "cudnn fp16")
        self.assertEqual(label_of(dict(case, fuse="pool")), "cudnn+pool fp16")

    def test_activation_sparsity_keeps_pairs_apart(self):
        rows = []
        for activation, ecr_us in ((0.5, 40.0), (0.9, 10.0)):
            for backend, us in (("ecr", ecr_us), ("cudnn", 20.0)):
                r = result("vgg19/conv4_2", 32, 0.0, backend, "fp32", us)
                r["case"]["activation_sparsity"] = activation
                r["case"]["key"] += f" as={activation}"
                rows.append(r)
        with tempfile.TemporaryDirectory() as d:
            frame = report.load([write(d, "a.json", rows)])
        self.assertEqual(sorted(report.our_speedups(frame, "ecr fp32", "cudnn fp32")), [0.5, 2.0])

    def test_filter_keeps_only_matching_keys(self):
        frame = report.load([self.path], "conv5_1 N=1 ")
        self.assertEqual(set(frame["layer"]), {"vgg19/conv5_1"})
        self.assertEqual(len(frame), 8)
        with self.assertRaises(SystemExit):
            report.load([self.path], "resnet50")
        out = os.path.join(self.dir, "f.md")
        report.main(["table", self.path, "--filter", "conv4_2", "-o", out])
        self.assertNotIn("conv5_1", read(out))
        self.assertIn("conv4_2", read(out))

    def test_crossover_is_found_and_interpolated(self):
        table = report.crossovers(report.load([self.path]), "im2col_cusparse{format=csr} fp32", "cudnn fp32")
        by_layer = {row["layer"]: row for _, row in table.iterrows()}
        self.assertEqual(by_layer["vgg19/conv4_2"]["lowest_winning_sparsity"], 0.6)
        # log-linear between 0.5 (110 vs 100) and 0.6 (90 vs 100)
        self.assertIn("0.547", by_layer["vgg19/conv4_2"]["crossover"])
        self.assertIn("none in [0.5, 0.9]", by_layer["vgg19/conv5_1"]["crossover"])
        self.assertAlmostEqual(by_layer["vgg19/conv4_2"]["speedup_at_max_sparsity"], 100 / 30)

    def test_tables_in_markdown_and_latex(self):
        out = os.path.join(self.dir, "t.md")
        report.main(["table", self.path, "--baseline", "cudnn fp32", "-o", out])
        text = read(out)
        self.assertIn("| layer | batch | weight_sparsity | cudnn fp32 | im2col_cusparse{format=csr} fp32 |", text)
        self.assertIn("30.00 (3.33x)", text)
        report.main(["table", self.path, "--format", "latex", "-o", out])
        self.assertIn(r"\begin{tabular}", read(out))
        with self.assertRaises(SystemExit):
            report.main(["table", self.path, "--baseline", "nonexistent fp64"])

    def test_published_speedups_beside_ours(self):
        out = os.path.join(self.dir, "p.md")
        report.main(["published", self.path, "-o", out])
        lines = read(out).splitlines()
        # conv4_2 at N=32: 100 / (200(1-s)+10) for s = 0.5, 0.6, 0.7, 0.9
        ours = [100 / 110, 100 / 90, 100 / 70, 100 / 30]
        geo = math.exp(sum(math.log(x) for x in ours) / 4)
        row = next(l for l in lines if "vgg19/conv4_2, N=32" in l)
        self.assertIn(f"{geo:.2f}x", row)
        self.assertIn(f"{geo / 3.0:.2f} |", row)
        self.assertIn("| 8 |", next(l for l in lines if "average over the sweep" in l and "im2col" in l))
        self.assertIn("not measured", next(l for l in lines if "escort" in l))
        # A sweep-wide claim is split by batch as well: conv5_1 at N=1 is 10 us against 50 us.
        row = next(l for l in lines if "average over the sweep, N=1 |" in l and "im2col" in l)
        self.assertIn("| 0.20x | 0.20x | 4 | 0.10 |", row)

    def test_paper_writes_every_table_and_figure(self):
        out = os.path.join(self.dir, "paper")
        report.main(["paper", self.path, "--baseline", "cudnn fp32", "--name", "demo", "--out-dir", out])
        text = read(os.path.join(out, "tables", "demo.md"))
        self.assertIn("| paper | comparison |", text)  # the published numbers first
        self.assertIn("30.00 (3.33x)", text)           # then the table
        self.assertIn(r"\begin{tabular}", read(os.path.join(out, "tables", "demo.tex")))
        for kind in ("speedup", "roofline", "sparsity"):
            self.assertGreater(os.path.getsize(os.path.join(out, "figures", f"demo.{kind}.png")), 1000)

    def test_plots_are_written(self):
        for kind in ("sparsity", "roofline", "speedup"):
            for ext in ("png", "svg"):
                out = os.path.join(self.dir, f"{kind}.{ext}")
                report.main(["plot", self.path, "--kind", kind, "--baseline", "cudnn fp32", "-o", out])
                self.assertGreater(os.path.getsize(out), 1000, out)


if __name__ == "__main__":
    unittest.main()


class CheckpointTest(unittest.TestCase):
    def test_an_unfinished_runs_checkpoint_is_read_like_a_document(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "run.json.partial.jsonl")
            with open(path, "w") as f:
                for r in (result("vgg19/conv1_1", 32, 0.5, "cudnn", "fp32", 100.0),
                          result("vgg19/conv1_1", 32, 0.5, "direct_sparse", "fp32", 50.0, status="incorrect")):
                    f.write(json.dumps(r) + "\n")
            frame = report.load([path])
        self.assertEqual(list(frame["label"]), ["cudnn fp32"])  # the incorrect case is not a result


class TargetsTest(unittest.TestCase):
    def test_targets_use_the_fastest_param_set_and_flag_misses(self):
        escort_set = []
        for layer in ("caffenet/conv2", "resnet50/res2a_branch2b"):
            for batch in (1, 32):
                escort_set += [
                    result(layer, batch, 0.9, "direct_sparse", "fp32", 10.0),
                    result(layer, batch, 0.9, "escort", "fp32", 30.0),
                    result(layer, batch, 0.9, "im2col_cusparse", "fp32", 80.0, {"order": "row"}),
                    result(layer, batch, 0.9, "im2col_cusparse", "fp32", 40.0, {"order": "col"}),  # the best: 4x
                    result(layer, batch, 0.9, "im2col_cublas", "fp32", 50.0),
                    result(layer, batch, 0.9, "cudnn", "fp32", 35.0),
                ]
        vgg = []
        for sparsity, ours in ((0.5, 200.0), (0.6, 90.0), (0.9, 40.0), (0.95, 30.0)):
            vgg += [result("vgg19/conv3_1", 32, sparsity, "direct_sparse", "fp32", ours),
                    result("vgg19/conv3_1", 32, sparsity, "cudnn", "fp32", 100.0)]
        vgg += [result("vgg19/conv3_1", 32, 0.95, "direct_sparse", "fp16", 20.0),
                result("vgg19/conv3_1", 32, 0.95, "cudnn", "tf32", 25.0)]
        with tempfile.TemporaryDirectory() as d:
            frame = report.load([write(d, "a.json", escort_set), write(d, "b.json", vgg)])
        import targets
        text = targets.report(frame)
        rows = {line.split(" | ")[0].strip("| "): line for line in text.splitlines() if line.startswith("| ")}
        self.assertIn("min 4.00x", rows["1"])  # the col-order param set counts, not the slower row one
        self.assertIn("| NO |", rows["1"])
        self.assertIn("1.25x short", rows["1"])
        self.assertIn("5.00x", rows["2"])
        self.assertIn("| yes |", rows["2"])
        self.assertIn("conv3_1 0.6", rows["5"])  # loses at 0.5, wins from 0.6 up
        self.assertIn("| yes |", rows["5"])
        self.assertIn("1/1", rows["6"])
        self.assertNotIn("codegen targets", text)  # no codegen result: no codegen table

    def test_codegen_targets_have_their_own_goals(self):
        rows = []
        for layer in ("caffenet/conv2", "resnet50/res2a_branch2b"):
            for batch in (1, 32):
                rows += [result(layer, batch, 0.9, "codegen", "fp32", 10.0),
                         result(layer, batch, 0.9, "escort", "fp32", 9.0),   # escort wins: target 8 missed
                         result(layer, batch, 0.9, "im2col_cusparse", "fp32", 40.0),
                         result(layer, batch, 0.9, "cudnn", "fp32", 25.0)]
        for sparsity, ours in ((0.75, 150.0), (0.9, 60.0), (0.95, 40.0)):
            rows += [result("vgg19/conv4_2", 32, sparsity, "codegen", "fp32", ours),
                     result("vgg19/conv4_2", 32, sparsity, "cudnn", "fp32", 100.0)]
        # Target 5, ResNet-50 1x1 at 95%: not part of the Escort set's geomeans (targets 3 and 4).
        rows += [result("resnet50/res2a_branch2a", 32, 0.95, "codegen", "fp32", 5.0),
                 result("resnet50/res2a_branch2a", 32, 0.95, "cudnn", "fp32", 15.0),
                 result("resnet50/res2a_branch2a", 32, 0.95, "im2col_cusparse", "fp32", 10.0)]
        # Target 6: codegen fp16 beats cuDNN tf32 on one of two layers, cuDNN fp16 (its best layout) on none.
        for layer, ours in (("vgg19/conv4_1", 10.0), ("vgg19/conv5_1", 30.0)):
            rows += [result(layer, 32, 0.95, "codegen", "fp16", ours),
                     result(layer, 32, 0.95, "cudnn", "tf32", 20.0),
                     result(layer, 32, 0.95, "cudnn", "fp16", 8.0)]
            nhwc = result(layer, 32, 0.95, "cudnn", "fp16", 6.0)
            nhwc["case"]["layout"], nhwc["case"]["key"] = "NHWC", nhwc["case"]["key"] + " NHWC"
            rows.append(nhwc)
        # Target 7 (Dong's operators): 4x at N=64 met, 1.5x at N=1 missed.
        rows += [result("dong2020/vgg-conv3", 64, 0.5, "codegen", "fp32", 10.0),
                 result("dong2020/vgg-conv3", 64, 0.5, "escort", "fp32", 40.0),
                 result("dong2020/vgg-conv3", 1, 0.5, "codegen", "fp32", 10.0),
                 result("dong2020/vgg-conv3", 1, 0.5, "escort", "fp32", 15.0)]
        # Target 8, shapes nobody tuned for: escort wins one of two.
        rows += [result("untuned/stride2", 7, 0.9, "codegen", "fp32", 10.0),
                 result("untuned/stride2", 7, 0.9, "escort", "fp32", 9.0),
                 result("untuned/stride2", 128, 0.9, "codegen", "fp32", 10.0),
                 result("untuned/stride2", 128, 0.9, "escort", "fp32", 20.0)]
        with tempfile.TemporaryDirectory() as d:
            frame = report.load([write(d, "c.json", rows)])
        import targets
        text = targets.report(frame)
        self.assertIn("codegen targets (issue 17)", text)
        table = {}
        for line in text.splitlines():
            if line.startswith("| ") and not line.startswith("| #"):
                table.setdefault(line.split(" | ")[0].strip("| "), []).append(line)
        # 1e9 * 0.1 useful FLOPs (the test helper) over 60 us: 1.67 TFLOP/s, far from 40.
        self.assertIn("1.7", table["1"][0])
        self.assertIn("| NO |", table["1"][0])
        self.assertIn("conv4_2 0.9", table["2"][0])  # loses at 0.75, wins from 0.9 up: above 0.75
        self.assertIn("| NO |", table["2"][0])
        self.assertIn("2.50x (2 layers)", table["3"][0])  # cuDNN 25 us / codegen 10 us; no 1x1 layer in it
        self.assertIn("4.00x", table["4"][0])
        self.assertIn("3.00x (1 cases) | yes", table["5"][0])  # cuDNN 15 / 5 against 2x: met
        self.assertIn("2.00x (1 cases) | NO", table["5"][1])  # best cusparse 10 / 5 against 3x
        self.assertIn("1/2", table["6"][0])  # over tf32: 2x and 0.67x
        self.assertIn("0/2; min 0.20x", table["6"][1])  # over cuDNN fp16 in NHWC (6 us), its faster layout
        self.assertIn("| yes |", table["7"][0])
        self.assertIn("1.50x (1 cases) | NO", table["7"][1])
        self.assertIn("1/2; min 0.90x", table["8"][0])
        self.assertNotIn("tuner targets", text)  # no direct_sparse on the untuned shapes here

    def test_the_tuned_kernel_against_escort_on_untuned_shapes(self):
        rows = []
        for batch, ours in ((7, 8.0), (128, 12.0)):
            rows += [result("untuned/groups4", batch, 0.9, "direct_sparse", "fp32", ours, params={"auto": ""}),
                     result("untuned/groups4", batch, 0.9, "escort", "fp32", 10.0)]
        with tempfile.TemporaryDirectory() as d:
            frame = report.load([write(d, "t.json", rows)])
        import targets
        text = targets.report(frame)
        self.assertIn("tuner targets (issue 18)", text)
        self.assertIn("1/2; min 0.83x", text)  # escort 10 / 12 at N=128
        self.assertIn("| NO | 1 slower |", text)


    def test_dual_sparse_targets_per_activation_pattern(self):
        rows = []
        for pattern, ours in (("channel", 10.0), ("uniform", 30.0)):
            for layer in ("vgg16/conv4_2", "vgg16/conv5_1"):
                for batch, cudnn in ((32, 20.0), (1, 15.0)):
                    for backend, us in (("dual_sparse", ours), ("codegen", 25.0), ("ecr", 200.0), ("cudnn", cudnn)):
                        r = result(layer, batch, 0.7, backend, "fp32", us)
                        r["case"]["activation_pattern"] = pattern
                        r["case"]["activation_sparsity"] = 0.5
                        r["case"]["key"] += " " + pattern
                        rows.append(r)
        with tempfile.TemporaryDirectory() as d:
            frame = report.load([write(d, "d.json", rows)])
        import targets
        text = targets.report(frame)
        self.assertIn("dual_sparse targets (issue 16)", text)
        lines = [line for line in text.splitlines() if line.startswith("| 1 |") or line.startswith("| 4 |")]
        channel = [line for line in lines if "zeros channel" in line]
        uniform = [line for line in lines if "zeros uniform" in line]
        self.assertIn("2.00x (2 layers) | yes", channel[0])  # N=32: cuDNN 20 / 10 against 1.5x
        self.assertIn("1.50x (2 layers) | NO", channel[1])   # N=1: 15 / 10 against 2x
        self.assertIn("0.67x (2 layers) | NO", uniform[0])
        self.assertIn("4/4", channel[2])  # ecr 200 us: every case faster
        self.assertIn("| channel | 2.50x |", text)  # over codegen: 25 / 10
        self.assertIn("| uniform | 0.83x |", text)
        self.assertNotIn("| 2 |", text)  # no fused case

    def test_dual_sparse_fused_pool_against_cudnn_and_its_own_unfused_conv(self):
        rows = []
        for layer, fused, unfused, cudnn_pool in (("vgg19/conv1_2", 10.0, 11.0, 30.0), ("vgg19/conv4_4", 10.0, 9.0, 15.0)):
            for backend, fuse, us in (("dual_sparse", "pool", fused), ("dual_sparse", "none", unfused),
                                      ("cudnn", "pool", cudnn_pool), ("cudnn", "none", 12.0)):
                r = result(layer, 32, 0.8, backend, "fp32", us)
                r["case"].update({"activation_pattern": "channel", "activation_sparsity": 0.8, "fuse": fuse})
                r["case"]["key"] += " " + fuse
                rows.append(r)
        with tempfile.TemporaryDirectory() as d:
            frame = report.load([write(d, "p.json", rows)])
        import targets
        text = targets.report(frame)
        lines = [line for line in text.splitlines() if line.startswith("| 2 |")]
        self.assertEqual(len(lines), 2, text)
        self.assertIn("1/2; min 1.50x | NO", lines[0])  # 30 / 10 = 3x, 15 / 10 = 1.5x
        self.assertIn("conv1_2 1.10x, conv4_4 0.90x | NO | below on conv1_2, conv4_4", lines[1])
        self.assertNotIn("| 1 |", text)  # no VGG-16 layer: no target 1 row


    def test_where_chwn_wins_over_nchw(self):
        rows = []
        for layer, channels in (("lenet5/conv1", 1), ("alexnet/conv3", 256)):
            for batch in (1, 64, 128):
                chwn = 5.0 if channels <= 16 and batch >= 64 else 20.0
                for backend, layout, us in (("direct_dense", "NCHW", 10.0), ("direct_dense", "CHWN", chwn),
                                            ("cudnn", "NCHW", 8.0), ("cudnn", "NHWC", 4.0)):
                    r = result(layer, batch, 0.0, backend, "fp32", us)
                    r["case"].update({"layout": layout, "shape": {"C": channels}})
                    r["case"]["key"] += " " + layout
                    rows.append(r)
        with tempfile.TemporaryDirectory() as d:
            frame = report.load([write(d, "l.json", rows)])
        import targets
        text = targets.report(frame)
        self.assertIn("layout targets (issue 19)", text)
        self.assertIn("| 3 | our CHWN conv beats our NCHW conv", text)
        self.assertIn("2/2; min 2.00x | yes", text)  # C=1 at N=64 and 128
        self.assertIn("CHWN wins on C=1: N>=64", text)
        self.assertIn("| lenet5/conv1 | 1 | 64 | 10.00 | 5.00 | 2.00 | 4.00 | 0.80 |", text)  # cuDNN NHWC 4 us
        with tempfile.TemporaryDirectory() as d:
            figure = os.path.join(d, "layouts.png")
            report.plot(frame, "layouts", figure)
            self.assertGreater(os.path.getsize(figure), 1000)
            with self.assertRaises(SystemExit):  # one layout only: nothing to compare
                report.plot(frame[frame["layout"] != "CHWN"], "layouts", figure)


class OperatorsTargetsTest(unittest.TestCase):
    def test_pooling_and_softmax_against_their_baselines_and_the_copy_bandwidth(self):
        def op_result(layer, batch, backend, layout, us, op, mb, share, precision="fp32"):
            r = result(layer, batch, 0.0, backend, precision, us)
            r["case"].update({"layout": layout, "op": op})
            r["case"]["key"] += " " + layout
            r["derived"].update({"minimal_bytes": mb * 1e6, "copy_bandwidth_fraction": share})
            return r
        rows = [
            # A big pool: ours in CHWN is 2% slower than cuDNN's NHWC (within 3%) and at 85% of the copy.
            op_result("vgg16/pool1", 128, "pool_direct", "CHWN", 102.0, "pool", 500, 0.85),
            op_result("vgg16/pool1", 128, "pool_direct", "NCHW", 150.0, "pool", 500, 0.58),
            op_result("vgg16/pool1", 128, "cudnn_pool", "NHWC", 100.0, "pool", 500, 0.87),
            # A small one: ours 5% slower, a miss.
            op_result("lenet5/pool1", 128, "pool_direct", "NCHW", 10.5, "pool", 7, 0.3),
            op_result("lenet5/pool1", 128, "cudnn_pool", "NCHW", 10.0, "pool", 7, 0.31),
            # Softmax: 2 MB (input 1 MB: must win), and 8 KB (within 10% of the faster).
            op_result("classifiers/softmax1000", 256, "softmax_fused", "NCHW", 5.0, "softmax", 2.048, 0.1),
            op_result("classifiers/softmax1000", 256, "cudnn_softmax", "NCHW", 6.0, "softmax", 2.048, 0.1),
            op_result("classifiers/softmax1000", 256, "softmax_caffe", "NCHW", 40.0, "softmax", 2.048, 0.01),
            op_result("classifiers/softmax10", 8, "softmax_fused", "NCHW", 2.6, "softmax", 0.00064, 0.0),
            op_result("classifiers/softmax10", 8, "cudnn_softmax", "NCHW", 2.5, "softmax", 0.00064, 0.0),
        ]
        with tempfile.TemporaryDirectory() as d:
            frame = report.load([write(d, "ops.json", rows)])
        import targets
        text = targets.report(frame)
        self.assertIn("pooling and softmax targets (issue 19)", text)
        self.assertIn("| every layer | 1/2; min 0.95x, faster on 0 | NO | 1 more than 3% slower |", text)
        self.assertIn("layers moving >= 64 MB | >= 80% each | 1/1; min 85% | yes", text)
        self.assertIn("tensors >= 1 MB | every tensor | 1/1; min 1.20x | yes", text)
        self.assertIn("tensors < 1 MB | every tensor | 1/1; min 0.96x | yes", text)
        self.assertNotIn("tensors >= 64 MB", text)  # no such softmax here


class RatioTextTest(unittest.TestCase):
    def test_small_ratios_keep_three_significant_digits(self):
        self.assertEqual(report.ratio_text(2.4567), "2.46")
        self.assertEqual(report.ratio_text(0.1), "0.10")
        self.assertEqual(report.ratio_text(0.0018457), "0.00185")  # ECR 540x slower than cuDNN: not "0.00"


class RealModelTest(unittest.TestCase):
    def test_real_masks_against_synthetic_ones_per_backend(self):
        rows = []
        for backend, real_us, uniform_us, imbalanced_us in (("direct_sparse", 10.0, 12.0, 15.0), ("cudnn", 20.0, 20.0, 20.0)):
            for mask, us in (("weights", real_us), ("uniform", uniform_us), ("channel_imbalanced", imbalanced_us)):
                r = result("lenet5_fashion/conv2", 32, 0.88, backend, "fp32", us, mask=mask)
                r["case"]["key"] += f" {mask}"
                rows.append(r)
        with tempfile.TemporaryDirectory() as d:
            frame = report.load([write(d, "real.json", rows)])
        import targets
        text = targets.real_vs_synthetic(frame)
        line = next(l for l in text.splitlines() if "direct_sparse" in l)
        self.assertIn("| 10.00 | 12.00 | 1.20 | 15.00 | 1.50 |", line)  # faster on the real mask
        line = next(l for l in text.splitlines() if "cudnn" in l)
        self.assertIn("| 1.00 |", line)  # dense: the pattern does not matter


class CompileTimesTest(unittest.TestCase):
    def test_compile_times_come_from_backend_details(self):
        rows = []
        for nonzeros, compile_ms, cached in ((1000, 500.0, 0), (20000, 7000.0, 0), (20000, 0.0, 16)):
            r = result("vgg19/conv4_2", 32, 0.9, "codegen", "fp32", 100.0)
            r["case"]["key"] += f" {nonzeros} {cached}"
            r["backend_details"] = {"nonzeros": nonzeros, "blocks": 16, "compile_ms": compile_ms,
                                    "modules_from_cache": cached}
            r["prepare_us"] = compile_ms * 1000 + 2e5
            rows.append(r)
        rows.append(result("vgg19/conv4_2", 32, 0.9, "cudnn", "fp32", 50.0))
        with tempfile.TemporaryDirectory() as d:
            import targets
            text, frame = targets.compile_times([write(d, "c.json", rows)])
        self.assertEqual(len(frame), 3)  # codegen only
        self.assertIn("median compile (nvJitLink, summed over blocks) 3.75 s over 2 cases that compiled", text)
        self.assertEqual(list(frame["nonzeros"]), [1000, 20000, 20000])

    def test_compile_target_takes_the_cold_median_and_checks_the_warm_cache(self):
        rows = []
        for i, (prepare_s, compile_ms, cached) in enumerate(((2.0, 9000.0, 0), (30.0, 90000.0, 0),
                                                            (4.0, 12000.0, 0), (0.1, 0.0, 16), (0.2, 40.0, 16))):
            r = result("vgg19/conv4_2", 32, 0.9, "codegen", "fp32", 100.0)
            r["case"]["key"] += f" {i}"
            r["backend_details"] = {"kernels": 16, "compile_ms": compile_ms, "modules_from_cache": cached}
            r["prepare_us"] = prepare_s * 1e6
            rows.append(r)
        with tempfile.TemporaryDirectory() as d:
            frame = report.load([write(d, "c.json", rows)])
        import targets
        text = targets.codegen_report(frame)
        self.assertIn("| 9 | generate, compile and load a layer (prepare), cold cubin cache, VGG-19 and Escort sets "
                      "| <= 10 s median | 4.00 s median, 30.0 s max (3 cases) | yes |", text)
        self.assertIn("| nothing compiled | 1 of 2 cases compiled | NO | 1 compiled |", text)


class LibraryTest(unittest.TestCase):
    def test_library_table_gives_the_crossing_and_the_2_4_speedup(self):
        rows = []
        for sparsity, sparse_us in ((0.5, 300.0), (0.7, 150.0), (0.8, 90.0), (0.9, 50.0)):
            rows += [result("vgg19/conv4_2", 32, sparsity, "im2col_cusparse", "fp32", sparse_us),
                     result("vgg19/conv4_2", 32, sparsity, "cudnn", "fp32", 100.0)]
        rows += [result("vgg19/conv4_2", 32, 0.5, "cusparselt", "fp16", 40.0, mask="nm2:4"),
                 result("vgg19/conv4_2", 32, 0.5, "cudnn", "fp16", 60.0, mask="nm2:4"),
                 result("vgg19/conv4_2", 32, 0.5, "im2col_cublas", "fp16", 50.0, mask="nm2:4")]
        with tempfile.TemporaryDirectory() as d:
            frame = report.load([write(d, "lib.json", rows)])
        import targets
        text = targets.library(frame)
        line = [l for l in text.splitlines() if l.startswith("| vgg19/conv4_2")][0]
        self.assertIn("| 0.8 | 0.8 |", line)   # loses at 0.7, wins from 0.8 up
        self.assertIn("| 1.25 |", line)  # 50 us (the faster dense fp16) / 40 us

    def test_a_slow_cudnn_pick_does_not_move_the_crossing_against_its_fastest_algorithm(self):
        rows = []
        # cudnnFind picked a 2x slower algorithm at 0.7: sparse (150 us) beats that case, not the layer's 100 us.
        for sparsity, sparse_us, dense_us in ((0.5, 300.0, 100.0), (0.7, 150.0, 200.0), (0.8, 90.0, 100.0)):
            rows += [result("vgg19/conv4_2", 1, sparsity, "im2col_cusparse", "fp32", sparse_us),
                     result("vgg19/conv4_2", 1, sparsity, "cudnn", "fp32", dense_us)]
        with tempfile.TemporaryDirectory() as d:
            frame = report.load([write(d, "lib.json", rows)])
        import targets
        line = [l for l in targets.library(frame).splitlines() if l.startswith("| vgg19/conv4_2")][0]
        self.assertIn("| 0.7 | 0.8 |", line)


class CountersTest(unittest.TestCase):
    def test_counter_table_has_a_row_per_kernel_and_the_fma_share(self):
        r = result("vgg19/conv4_2", 32, 0.9, "direct_sparse", "fp32", 100.0)
        r["counters"] = {"chip": "GH100", "passes": 1, "metrics": ["sm__inst_executed.sum", "sm__inst_executed_pipe_fma.sum"],
                         "op_totals": {}, "kernels": [{"name": "direct_sparse_kernel", "values": {
                             "sm__inst_executed.sum": 1000.0, "sm__inst_executed_pipe_fma.sum": 400.0}}]}
        plain = result("vgg19/conv4_2", 32, 0.9, "cudnn", "fp32", 50.0)  # no counters: no row
        with tempfile.TemporaryDirectory() as d:
            path = write(d, "c.json", [r, plain])
            import targets
            text = targets.counter_table([path])
        lines = [l for l in text.splitlines() if l.startswith("| vgg19")]
        self.assertEqual(len(lines), 1)
        self.assertIn("direct_sparse_kernel", lines[0])
        self.assertIn("| 0.40 |", lines[0])


class CommittedResults(unittest.TestCase):
    """The device tool sends at most 64 MiB of working tree: committed results must leave room for the code."""

    def test_results_stay_under_30_mb(self):
        root = os.path.join(os.path.dirname(__file__), "..", "..", "results")
        total = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(root) for f in files)
        self.assertLess(total, 30 * 1024 * 1024, f"results/ holds {total / 2**20:.1f} MiB")

    def test_result_documents_are_gzip_compressed(self):
        root = os.path.join(os.path.dirname(__file__), "..", "..", "results")
        plain = [os.path.join(d, f) for d, _, files in os.walk(root) for f in files
                 if f.endswith(".json") and f != "schema.json"]
        self.assertEqual(plain, [], "store result documents as .json.gz (scbench run -o NAME.json.gz)")


class TuningPlot(unittest.TestCase):
    def test_best_so_far_curves_are_drawn_and_untuned_results_refused(self):
        def tuned(strategy, curve):
            r = result("vgg19/conv4_2", 32, 0.9, "direct_sparse", "fp32", min(curve))
            r["case"]["key"] += "{tune=%s}" % strategy
            r["tuning"] = {"strategy": strategy, "best_so_far_us": curve, "evaluations_used": len(curve)}
            return r
        with tempfile.TemporaryDirectory() as d:
            path = write(d, "t.json", [tuned("anneal", [50.0, 40.0, 40.0, 31.0]),
                                       tuned("exhaustive", [60.0, 45.0, 30.0, 30.0, 30.0, 30.0])])
            out = os.path.join(d, "tuning.png")
            report.main(["tuning", path, "-o", out])
            self.assertGreater(os.path.getsize(out), 1000)
            import tuning_plot
            runs = tuning_plot.tuning_runs([path])
            self.assertEqual(len(runs), 1, "both strategies tuned the same case")
            plain = write(d, "p.json", [result("vgg19/conv4_2", 32, 0.9, "cudnn", "fp32", 10.0)])
            with self.assertRaises(SystemExit):
                report.main(["tuning", plain, "-o", out])
