"""Tests of scripts/import_onnx.py on small ONNX models built here with onnx.helper.

The model: X (2x3x16x16) -> conv_a (3x3, pad 1) -> Relu -> MaxPool 2/2 -> conv_b (groups 2, stride 2, pad 1)
-> conv_c (dilation 2, pad 2) -> Flatten -> Gemm. Weights are half zeros. The import must write the three
convs with their shapes and pool, the weights exactly, and (with --inputs) each conv's real input, which is
checked against a numpy forward pass. With SCBENCH_BINARY set (ctest does), scbench itself plans the sweep.
"""
import io
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
try:
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    import import_onnx  # noqa: E402
except ImportError as e:  # onnx missing: say so instead of failing obscurely
    onnx = None
    MISSING = str(e)


def pruned(shape, seed):
    rng = np.random.default_rng(seed)
    w = rng.uniform(-1, 1, size=shape).astype(np.float32)
    w[rng.uniform(size=shape) < 0.5] = 0.0
    return w


def conv_ref(x, w, stride=1, pad=0, dilation=1, groups=1):
    n, c, h, width = x.shape
    k, cg, r, s = w.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    p = (h + 2 * pad - dilation * (r - 1) - 1) // stride + 1
    q = (width + 2 * pad - dilation * (s - 1) - 1) // stride + 1
    out = np.zeros((n, k, p, q))
    kg = k // groups
    for g in range(groups):
        for i in range(r):
            for j in range(s):
                patch = xp[:, g * cg:(g + 1) * cg, i * dilation:i * dilation + stride * (p - 1) + 1:stride,
                           j * dilation:j * dilation + stride * (q - 1) + 1:stride]
                out[:, g * kg:(g + 1) * kg] += np.einsum("nchw,kc->nkhw", patch, w[g * kg:(g + 1) * kg, :, i, j])
    return out


def build_model(batch_dim=2, with_shapes=True, custom_op=False, asymmetric=False):
    wa, wb, wc = pruned((8, 3, 3, 3), 1), pruned((8, 4, 3, 3), 2), pruned((4, 8, 3, 3), 3)
    wd = pruned((10, 4 * 4 * 4), 4)
    inits = [numpy_helper.from_array(wa, "wa"), numpy_helper.from_array(wb, "wb"), numpy_helper.from_array(wc, "wc"),
             numpy_helper.from_array(wd, "wd")]
    first_input = "X"
    nodes = []
    if custom_op:
        nodes.append(helper.make_node("Foo", ["X"], ["X2"], name="mystery", domain="com.example"))
        first_input = "X2"
    nodes += [
        helper.make_node("Conv", [first_input, "wa"], ["a"], name="/conv_a/Conv", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 2] if asymmetric else [1, 1, 1, 1]),
        helper.make_node("Relu", ["a"], ["ar"]),
        helper.make_node("MaxPool", ["ar"], ["ap"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["ap", "wb"], ["b"], name="/conv_b/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                         strides=[2, 2], group=2),
        helper.make_node("Conv", ["b", "wc"], ["c"], name="/conv_c/Conv", kernel_shape=[3, 3], pads=[2, 2, 2, 2],
                         dilations=[2, 2]),
        helper.make_node("Flatten", ["c"], ["f"]),
        helper.make_node("Gemm", ["f", "wd"], ["Y"], transB=1),
    ]
    dims = [batch_dim, 3, 16, 16]
    x = helper.make_tensor_value_info("X", TensorProto.FLOAT, dims if with_shapes else None)
    y = helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)
    graph = helper.make_graph(nodes, "small", [x], [y], inits)
    opsets = [helper.make_opsetid("", 17)] + ([helper.make_opsetid("com.example", 1)] if custom_op else [])
    model = helper.make_model(graph, opset_imports=opsets)
    model.ir_version = 8
    return model, (wa, wb, wc)


class ImportOnnxTest(unittest.TestCase):
    def setUp(self):
        if onnx is None:
            # ctest's run (SCBENCH_BINARY set) needs them: scripts/install-deps.sh installs them.
            if os.environ.get("SCBENCH_BINARY"):
                self.fail("onnx/onnxruntime are missing (%s): install scripts/requirements.txt" % MISSING)
            self.skipTest("onnx is not installed: %s" % MISSING)
        self.dir = tempfile.TemporaryDirectory()
        self.root = self.dir.name

    def tearDown(self):
        self.dir.cleanup()

    def save(self, model, name="m.onnx"):
        path = os.path.join(self.root, name)
        onnx.save(model, path)
        return path

    def run_import(self, model, **kwargs):
        log = io.StringIO()
        paths = import_onnx.import_model(self.save(model), "small", self.root, out=log, **kwargs)
        return paths, log.getvalue()

    def test_layers_weights_and_sweep(self):
        model, (wa, wb, wc) = build_model()
        paths, log = self.run_import(model)
        with open(paths["layers"]) as f:
            text = f.read()
        self.assertIn("network: small", text)
        self.assertIn("{name: conv_a, C: 3, H: 16, W: 16, K: 8, R: 3, pad: 1, weight_sparsity:", text)
        self.assertIn("pool: {size: 2, stride: 2}}", text)
        self.assertIn("{name: conv_b, C: 8, H: 8, W: 8, K: 8, R: 3, stride: 2, pad: 1, groups: 2,", text)
        self.assertIn("{name: conv_c, C: 8, H: 4, W: 4, K: 4, R: 3, pad: 2, dilation: 2,", text)
        self.assertIn("weight_sparsity: %s" % round(float(np.mean(wb == 0)), 4), text)
        for name, w in (("conv_a", wa), ("conv_b", wb), ("conv_c", wc)):
            saved = np.load(os.path.join(paths["weights"], name + ".npy"))
            self.assertEqual(saved.dtype, np.float32)
            np.testing.assert_array_equal(saved, w)
        self.assertIn("not imported (not convolutions): Flatten x1, Gemm x1, MaxPool x1, Relu x1", log)
        with open(paths["sweep"]) as f:
            sweep = f.read()
        self.assertIn("batch: [2]", sweep)
        self.assertIn('weights: {kind: file, path: "../../data/small/weights/{layer}.npy"}', sweep)
        self.assertNotIn("activation:", sweep)
        self.assertNotIn("ecr", sweep)  # the activation-sparse backend only runs on real feature maps

    def test_feature_maps_match_a_numpy_forward_pass(self):
        model, (wa, wb, wc) = build_model()
        x = np.random.default_rng(9).uniform(-1, 1, size=(2, 3, 16, 16)).astype(np.float32)
        np.save(os.path.join(self.root, "x.npy"), x)
        paths, _ = self.run_import(model, inputs=os.path.join(self.root, "x.npy"))
        a = np.maximum(conv_ref(x, wa, pad=1), 0)
        ap = a.reshape(2, 8, 8, 2, 8, 2).max(axis=(3, 5))
        b = conv_ref(ap, wb, stride=2, pad=1, groups=2)
        features = {name: np.load(os.path.join(paths["features"], name + ".npy"))
                    for name in ("conv_a", "conv_b", "conv_c")}
        np.testing.assert_array_equal(features["conv_a"], x)
        np.testing.assert_allclose(features["conv_b"], ap, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(features["conv_c"], b, rtol=1e-5, atol=1e-5)
        # ReLU then max-pool: the second conv's input has real zeros.
        self.assertGreater(float(np.mean(features["conv_b"] == 0)), 0.0)
        with open(paths["sweep"]) as f:
            sweep = f.read()
        self.assertIn('activation: {kind: file, path: "../../data/small/features/{layer}.npy"}', sweep)
        self.assertRegex(sweep, r"backends: \[.*, ecr, dual_sparse\]")

        binary = os.environ.get("SCBENCH_BINARY")
        if binary:
            plan = subprocess.run([binary, "run", paths["sweep"], "--dry-run"], capture_output=True, text=True)
            self.assertEqual(plan.returncode, 0, plan.stdout + plan.stderr)
            sparsity = float(np.mean(features["conv_b"] == 0))
            self.assertIn("small/conv_b N=2 ws=%.4f as=%.4ff mask=weights" % (np.mean(wb == 0), sparsity),
                          plan.stdout)
            # The synthetic twin: the same sparsity (rounded as the layer file has it), generated masks.
            plan = subprocess.run([binary, "run", paths["synthetic_sweep"], "--dry-run"], capture_output=True,
                                  text=True)
            self.assertEqual(plan.returncode, 0, plan.stdout + plan.stderr)
            self.assertIn("small/conv_b N=2 ws=%.4f as=%.4ff mask=channel_imbalanced" % (
                round(float(np.mean(wb == 0)), 4), sparsity), plan.stdout)

    def test_a_model_without_shapes_is_an_error(self):
        model, _ = build_model(with_shapes=False)
        with self.assertRaisesRegex(import_onnx.ModelError, "no static shape.*fixed input size"):
            self.run_import(model)

    def test_a_dynamic_batch_needs_batch(self):
        model, _ = build_model(batch_dim="N")
        with self.assertRaisesRegex(import_onnx.ModelError, "dynamic dim 'N'.*pass --batch N"):
            self.run_import(model)
        paths, _ = self.run_import(model, batch=4)
        with open(paths["sweep"]) as f:
            self.assertIn("batch: [4]", f.read())

    def test_an_unsupported_op_inside_is_named(self):
        model, _ = build_model(custom_op=True)
        with self.assertRaisesRegex(import_onnx.ModelError, "after Foo node 'mystery' of domain 'com.example'"):
            self.run_import(model)

    def test_a_conv_scbench_cannot_express_is_listed_and_skipped(self):
        model, _ = build_model(asymmetric=True)
        paths, log = self.run_import(model)
        self.assertIn("skipped Conv '/conv_a/Conv': asymmetric padding [1, 1, 1, 2]", log)
        with open(paths["layers"]) as f:
            text = f.read()
        self.assertNotIn("conv_a", text)
        self.assertIn("conv_b", text)

    def test_the_command_line_reports_errors_with_exit_2(self):
        path = os.path.join(self.root, "not_a_model.onnx")
        with open(path, "w") as f:
            f.write("garbage")
        done = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "..", "import_onnx.py"), path,
                               "--name", "x", "--root", self.root], capture_output=True, text=True)
        self.assertEqual(done.returncode, 2)
        self.assertIn("is not a readable ONNX model", done.stderr)


if __name__ == "__main__":
    unittest.main()
