#!/usr/bin/env python3
"""Import a pruned ONNX model's convolutions into scbench.

    python3 scripts/import_onnx.py MODEL.onnx --name NAME [--inputs X.npy] [--batch N] [--root DIR]

Writes, under --root (default: the repository):
  layers/NAME.yaml                    every Conv: shape, stride, pad, dilation, groups, and the MaxPool
                                      that follows it (through a Relu) where there is one
  data/NAME/weights/LAYER.npy         each Conv's weights (K x C/groups x R x S, float32; zeros = pruned)
  data/NAME/features/LAYER.npy        with --inputs: each Conv's real input feature map, from onnxruntime
  configs/real/NAME.yaml              a sweep over the model's convs with those weights (and feature maps)
  configs/real/NAME.synthetic.yaml    the same convs with synthetic masks at their real sparsities

Shapes come from ONNX shape inference. A model whose convs have no static shapes, or a dynamic batch
without --batch, is an error. Nodes that are not convolutions are listed and skipped; convs that scbench
cannot express (asymmetric padding, weights computed at run time, not 2-D) are listed and skipped with
the reason. Nothing is guessed.
"""
import argparse
import collections
import os
import re
import sys

import numpy as np

try:
    import onnx
    from onnx import numpy_helper, shape_inference
except ImportError:  # pragma: no cover - a clear message instead of a traceback
    sys.exit("error: the onnx package is missing; install scripts/requirements.txt "
             "(python3 -m pip install -r scripts/requirements.txt)")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKENDS = ["cudnn", "im2col_cublas", "im2col_cusparse", "escort", "direct_sparse", "codegen"]
ACTIVATION_BACKENDS = ["ecr", "dual_sparse"]  # only with real feature maps: they skip the maps' zeros


class ModelError(Exception):
    """A model scbench cannot import, with what to do about it."""


def layer_name(node, index, used):
    """A YAML-safe, unique layer name from the node's name (or its position)."""
    base = re.sub(r"[^A-Za-z0-9_]+", "_", node.name or "").strip("_")
    base = re.sub(r"_Conv$", "", base) or "conv%d" % index  # PyTorch's exports name nodes "/conv1/Conv"
    name, n = base, 2
    while name in used:
        name, n = "%s_%d" % (base, n), n + 1
    used.add(name)
    return name


def static_shape(value_info):
    """(dims, dynamic): dims as ints, or None where a dim is unknown; dynamic names a symbolic dim."""
    t = value_info.type.tensor_type
    if not t.HasField("shape"):
        return None, None
    dims, dynamic = [], None
    for d in t.shape.dim:
        if d.HasField("dim_value"):
            dims.append(d.dim_value)
        else:
            dims.append(None)
            dynamic = dynamic or (d.dim_param or "?")
    return dims, dynamic


def attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def with_batch(model, batch):
    """The model with every graph input's symbolic first dim set to `batch`."""
    for value in model.graph.input:
        dims = value.type.tensor_type.shape.dim
        if len(dims) and not dims[0].HasField("dim_value"):
            dims[0].dim_value = batch
    return model


def conv_layer(node, shapes, initializers, name, producer=None):
    """(layer dict, weights) for a Conv scbench can express, or (None, reason)."""
    a = attributes(node)
    if len(node.input) < 2 or node.input[1] not in initializers:
        return None, "its weights are computed at run time, not stored in the model"
    w = numpy_helper.to_array(initializers[node.input[1]])
    if w.ndim != 4:
        return None, "it is a %d-D convolution; scbench has 2-D convolutions only" % (w.ndim - 2)
    dims, dynamic = shapes.get(node.input[0], (None, None))
    if dims is None or None in dims:
        cause = "dynamic dim '%s'" % dynamic if dynamic else "no shape inferred"
        if producer is not None and not dynamic:
            cause += ", after %s node '%s'%s" % (
                producer.op_type, producer.name,
                " of domain '%s', which ONNX cannot infer shapes through" % producer.domain if producer.domain else "")
        raise ModelError(
            "Conv '%s': its input '%s' has no static shape (%s). Export the model with a fixed input size "
            "(for example torch.onnx.export with a dummy input of the real size)%s"
            % (node.name, node.input[0], cause, "; for a dynamic batch, pass --batch N" if dynamic else ""))
    n, c, h, width = dims
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        return None, "auto_pad=%s; re-export with explicit pads" % a["auto_pad"]
    pads = list(a.get("pads", [0, 0, 0, 0]))
    if pads[0] != pads[2] or pads[1] != pads[3]:
        return None, "asymmetric padding %s; scbench pads both sides equally" % pads
    group = int(a.get("group", 1))
    k, cg, r, s = w.shape
    if cg * group != c:
        return None, "weights for %d input channels per group, input has %d in %d groups" % (cg, c, group)
    strides = list(a.get("strides", [1, 1]))
    dilations = list(a.get("dilations", [1, 1]))
    layer = collections.OrderedDict(name=name, C=c, H=h, W=width, K=k, R=r)
    if s != r:
        layer["S"] = s
    for key, pair, default in (("stride", strides, 1), ("pad", pads[:2], 0), ("dilation", dilations, 1)):
        if pair != [default, default]:
            layer[key] = pair[0] if pair[0] == pair[1] else list(pair)
    if group != 1:
        layer["groups"] = group
    sparsity = float(np.mean(w == 0))
    layer["weight_sparsity"] = round(sparsity, 4)
    return (layer, n), w.astype(np.float32)


def following_pool(node, consumers):
    """The MaxPool reading this conv's output, directly or through one Relu; None if none or not square."""
    outputs = list(node.output)
    for _ in range(2):
        readers = [c for o in outputs for c in consumers.get(o, [])]
        if len(readers) != 1:
            return None
        reader = readers[0]
        if reader.op_type == "Relu":
            outputs = list(reader.output)
            continue
        if reader.op_type != "MaxPool":
            return None
        a = attributes(reader)
        size, stride = list(a.get("kernel_shape", [])), list(a.get("strides", [1, 1]))
        pads = list(a.get("pads", [0, 0, 0, 0]))
        if len(size) != 2 or size[0] != size[1] or stride[0] != stride[1] or len(set(pads)) > 1:
            return None
        pool = collections.OrderedDict(size=size[0], stride=stride[0])
        if pads[0]:
            pool["pad"] = pads[0]
        return pool
    return None


def flow(mapping):
    """A one-line YAML flow mapping of ints, floats, strings and lists."""
    def value(v):
        if isinstance(v, dict):
            return flow(v)
        if isinstance(v, list):
            return "[" + ", ".join(str(x) for x in v) + "]"
        return str(v)
    return "{" + ", ".join("%s: %s" % (k, value(v)) for k, v in mapping.items()) + "}"


def import_model(path, name, root, inputs=None, batch=None, out=sys.stdout):
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise ModelError("--name '%s': use letters, digits and _ (it names files and the network)" % name)
    try:
        model = onnx.load(path)
    except Exception as e:  # onnx raises several kinds for a file that is not a model
        raise ModelError("%s is not a readable ONNX model: %s" % (path, e))
    features_in = None
    if inputs is not None:
        features_in = np.load(inputs)
        if batch is not None and batch != features_in.shape[0]:
            raise ModelError("--batch %d differs from the batch of %s (%d)" % (batch, inputs, features_in.shape[0]))
        batch = features_in.shape[0]
    if batch is not None:
        model = with_batch(model, batch)
    try:
        model = shape_inference.infer_shapes(model, strict_mode=False)
    except Exception as e:
        raise ModelError("ONNX shape inference failed on %s: %s" % (path, e))
    graph = model.graph
    shapes = {v.name: static_shape(v) for v in list(graph.input) + list(graph.value_info) + list(graph.output)}
    initializers = {t.name: t for t in graph.initializer}
    consumers = collections.defaultdict(list)
    producers = {o: node for node in graph.node for o in node.output}
    for node in graph.node:
        for i in node.input:
            consumers[i].append(node)

    used, layers, weights, skipped, other = set(), [], {}, [], collections.Counter()
    conv_inputs, batches = {}, set()
    for index, node in enumerate(graph.node):
        if node.op_type != "Conv":
            other[node.op_type] += 1
            continue
        lname = layer_name(node, len(layers) + len(skipped) + 1, used)
        result, w_or_reason = conv_layer(node, shapes, initializers, lname, producers.get(node.input[0]))
        if result is None:
            skipped.append((node.name or lname, w_or_reason))
            continue
        layer, n = result
        batches.add(n)
        pool = following_pool(node, consumers)
        if pool:
            layer["pool"] = pool
        layers.append(layer)
        weights[lname] = w_or_reason
        conv_inputs[lname] = node.input[0]
    for conv, reason in skipped:
        print("skipped Conv '%s': %s" % (conv, reason), file=out)
    if other:
        print("not imported (not convolutions): " + ", ".join("%s x%d" % kv for kv in sorted(other.items())), file=out)
    if not layers:
        raise ModelError("%s has no convolution scbench can import" % path)
    n = batches.pop() if len(batches) == 1 else None
    if n is None:
        raise ModelError("the convs of %s see different batch sizes; pass --batch N" % path)

    paths = {
        "layers": os.path.join(root, "layers", name + ".yaml"),
        "weights": os.path.join(root, "data", name, "weights"),
        "features": os.path.join(root, "data", name, "features"),
        "sweep": os.path.join(root, "configs", "real", name + ".yaml"),
        "synthetic_sweep": os.path.join(root, "configs", "real", name + ".synthetic.yaml"),
    }
    os.makedirs(os.path.dirname(paths["layers"]), exist_ok=True)
    os.makedirs(paths["weights"], exist_ok=True)
    os.makedirs(os.path.dirname(paths["sweep"]), exist_ok=True)
    with open(paths["layers"], "w") as f:
        f.write("# Imported from %s by scripts/import_onnx.py. weight_sparsity: the model's own zeros.\n"
                % os.path.basename(path))
        f.write("network: %s\ndescription: \"%s, %d convs imported from ONNX\"\nlayers:\n" % (name, name, len(layers)))
        for layer in layers:
            f.write("  - %s\n" % flow(layer))
    for lname, w in weights.items():
        np.save(os.path.join(paths["weights"], lname + ".npy"), np.ascontiguousarray(w))

    if features_in is not None:
        dump_features(model, features_in, conv_inputs, paths["features"])

    sweep_dir = os.path.dirname(paths["sweep"])
    rel = lambda p: os.path.relpath(p, sweep_dir)
    backends = ", ".join(BACKENDS + (ACTIVATION_BACKENDS if features_in is not None else []))
    with open(paths["sweep"], "w") as f:
        f.write("# The convs of %s with their real weights%s (scripts/import_onnx.py).\n"
                % (name, " and feature maps" if features_in is not None else ""))
        f.write("name: real_%s\nlayers_dir: %s\nseed: 1\noutput: results/local/real_%s.json.gz\n"
                % (name, rel(os.path.join(root, "layers")), name))
        f.write("layers:\n  - {network: %s}\nbatch: [%d]\n" % (name, n))
        f.write("weights: {kind: file, path: \"%s\"}\n" % rel(os.path.join(paths["weights"], "{layer}.npy")))
        if features_in is not None:
            f.write("activation: {kind: file, path: \"%s\"}\n" % rel(os.path.join(paths["features"], "{layer}.npy")))
        f.write("precision: [fp32]\nbackends: [%s]\n" % backends)
    # The same layers with synthetic masks at each layer's real sparsity (the layer file's weight_sparsity):
    # what a pattern-sensitive backend gains or loses on real masks shows against it.
    with open(paths["synthetic_sweep"], "w") as f:
        f.write("# The convs of %s with synthetic masks at their real sparsities, to compare with %s.yaml.\n"
                % (name, name))
        f.write("name: synthetic_%s\nlayers_dir: %s\nseed: 1\noutput: results/local/synthetic_%s.json.gz\n"
                % (name, rel(os.path.join(root, "layers")), name))
        f.write("layers:\n  - {network: %s}\nbatch: [%d]\nweight_sparsity: [default]\n"
                "mask: [uniform, channel_imbalanced]\n" % (name, n))
        if features_in is not None:
            f.write("activation: {kind: file, path: \"%s\"}\n" % rel(os.path.join(paths["features"], "{layer}.npy")))
        f.write("precision: [fp32]\nbackends: [%s]\n" % backends)
    print("imported %d convs of %s: %s, %s, %s%s" % (
        len(layers), path, paths["layers"], paths["weights"], paths["sweep"],
        ", " + paths["features"] if features_in is not None else ""), file=out)
    return paths


def dump_features(model, x, conv_inputs, directory):
    """Runs the model with onnxruntime and saves each imported conv's input tensor."""
    try:
        import onnxruntime
    except ImportError:
        raise ModelError("--inputs needs onnxruntime; install scripts/requirements.txt")
    initializers = {t.name for t in model.graph.initializer}
    feeds = [i.name for i in model.graph.input if i.name not in initializers]
    if len(feeds) != 1:
        raise ModelError("--inputs gives one tensor; the model takes %d inputs" % len(feeds))
    x = x.astype(np.float32)
    # A conv that reads the model's input reads x itself; the others' inputs become extra outputs.
    names = sorted(set(conv_inputs.values()) - {feeds[0]})
    exposed = onnx.ModelProto()
    exposed.CopyFrom(model)
    outputs = {o.name for o in exposed.graph.output}
    for tensor in names:
        if tensor not in outputs:
            exposed.graph.output.append(onnx.helper.make_empty_tensor_value_info(tensor))
    session = onnxruntime.InferenceSession(exposed.SerializeToString(), providers=["CPUExecutionProvider"])
    values = dict(zip(names, session.run(names, {feeds[0]: x}))) if names else {}
    values[feeds[0]] = x
    os.makedirs(directory, exist_ok=True)
    for lname, tensor in conv_inputs.items():
        np.save(os.path.join(directory, lname + ".npy"), np.ascontiguousarray(values[tensor], dtype=np.float32))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("model", help="the .onnx file")
    parser.add_argument("--name", required=True, help="network name: layers/NAME.yaml, data/NAME/, configs/real/NAME.yaml")
    parser.add_argument("--inputs", help="an N x C x H x W .npy input: run the model and save each conv's input")
    parser.add_argument("--batch", type=int, help="the batch, for a model exported with a dynamic one")
    parser.add_argument("--root", default=REPO, help="where layers/, data/ and configs/real/ are written (default: the repo)")
    args = parser.parse_args(argv)
    try:
        import_model(args.model, args.name, args.root, args.inputs, args.batch)
    except ModelError as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
