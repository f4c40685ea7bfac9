#!/usr/bin/env python3
"""A pruned LeNet-5 of our own: trained on Fashion-MNIST, magnitude-pruned in steps with fine-tuning to
about Han et al.'s LeNet-5 sparsities, exported to ONNX and imported with scripts/import_onnx.py.

    python3 scripts/models/lenet5_fashion.py            # everything; about 12 minutes on 2 CPU cores

The shape is Caffe's LeNet-5 (layers/lenet5.yaml: conv 20 5x5, pool 2, conv 50 5x5, pool 2, fc 500, fc 10),
with a ReLU after each conv as well, so that the second conv reads a real ReLU map. Data: the Debian package
dataset-fashion-mnist (IDX files in /usr/share/datasets/fashion-mnist). Needs PyTorch (CPU is enough).
Deterministic: one seed, deterministic kernels, one thread per op order.

Writes models/lenet5_fashion.onnx, models/lenet5_fashion.json (accuracy before and after pruning, the
sparsity of every layer), models/lenet5_fashion.inputs.npy (32 test images) and, through the import,
layers/lenet5_fashion.yaml, data/lenet5_fashion/ and configs/real/lenet5_fashion.yaml. Exits 1 when pruning
costs more than 1 point of test accuracy.
"""
import argparse
import gzip
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import import_onnx  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"
# Han et al. 2015, Table 3 (LeNet-5): fraction of weights pruned per layer.
TARGET_SPARSITY = {"conv1": 0.34, "conv2": 0.88, "fc1": 0.92, "fc2": 0.81}


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(directory):
    names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
             "t10k-labels-idx1-ubyte.gz"]
    missing = [n for n in names if not os.path.exists(os.path.join(directory, n))]
    if missing:
        sys.exit("error: %s not found in %s; install the Debian package dataset-fashion-mnist "
                 "(apt-get install dataset-fashion-mnist) or pass --data DIR" % (", ".join(missing), directory))
    arrays = [read_idx(os.path.join(directory, n)) for n in names]
    scale = lambda x: ((x.astype(np.float32) / 255.0) - 0.2860) / 0.3530  # Fashion-MNIST mean and std
    return scale(arrays[0])[:, None], arrays[1].astype(np.int64), scale(arrays[2])[:, None], arrays[3].astype(np.int64)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=DATA, help="directory of the Fashion-MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=8, help="dense training epochs")
    parser.add_argument("--steps", type=int, default=4, help="pruning steps, each followed by fine-tuning")
    parser.add_argument("--tune-epochs", type=int, default=2, help="fine-tuning epochs after each pruning step")
    parser.add_argument("--root", default=REPO, help="where models/, layers/, data/ and configs/ go")
    args = parser.parse_args(argv)
    try:
        import torch
        from torch import nn
    except ImportError:
        sys.exit("error: PyTorch is missing (python3 -m pip install torch); the GPU machine has it")

    torch.manual_seed(1)
    np.random.seed(1)
    torch.use_deterministic_algorithms(True)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x_train, y_train, x_test, y_test = load(args.data)

    model = nn.Sequential()
    model.add_module("conv1", nn.Conv2d(1, 20, 5))
    model.add_module("relu1", nn.ReLU())
    model.add_module("pool1", nn.MaxPool2d(2, 2))
    model.add_module("conv2", nn.Conv2d(20, 50, 5))
    model.add_module("relu2", nn.ReLU())
    model.add_module("pool2", nn.MaxPool2d(2, 2))
    model.add_module("flatten", nn.Flatten())
    model.add_module("fc1", nn.Linear(800, 500))
    model.add_module("relu3", nn.ReLU())
    model.add_module("fc2", nn.Linear(500, 10))
    model = model.to(device)
    layers = {name: getattr(model, name) for name in TARGET_SPARSITY}
    masks = {name: torch.ones_like(layer.weight) for name, layer in layers.items()}

    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    xs, ys = torch.from_numpy(x_test).to(device), torch.from_numpy(y_test).to(device)

    def accuracy():
        model.eval()
        with torch.no_grad():
            correct = sum(int((model(xs[i:i + 1000]).argmax(1) == ys[i:i + 1000]).sum()) for i in range(0, len(xs), 1000))
        return 100.0 * correct / len(xs)

    def train(epochs, lr):
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
        generator = torch.Generator().manual_seed(2)
        for epoch in range(epochs):
            model.train()
            order = torch.randperm(len(xt), generator=generator)
            for i in range(0, len(order), 64):
                batch = order[i:i + 64]
                optimizer.zero_grad()
                loss = nn.functional.cross_entropy(model(xt[batch].to(device)), yt[batch].to(device))
                loss.backward()
                optimizer.step()
                with torch.no_grad():  # pruned weights stay zero
                    for name, layer in layers.items():
                        layer.weight.mul_(masks[name])
            print("  epoch %d: test accuracy %.2f%%" % (epoch + 1, accuracy()), flush=True)

    print("dense training (%d epochs, %s)" % (args.epochs, device), flush=True)
    train(args.epochs, 0.01)
    dense = accuracy()
    for step in range(1, args.steps + 1):
        with torch.no_grad():
            for name, layer in layers.items():
                target = TARGET_SPARSITY[name] * step / args.steps
                magnitudes = layer.weight.abs().flatten()
                threshold = magnitudes.kthvalue(max(1, int(target * magnitudes.numel()))).values
                masks[name] = (layer.weight.abs() > threshold).float()
                layer.weight.mul_(masks[name])
        print("pruning step %d/%d, then %d epochs of fine-tuning" % (step, args.steps, args.tune_epochs), flush=True)
        train(args.tune_epochs, 0.005)
    pruned = accuracy()
    sparsity = {name: float((layer.weight == 0).float().mean()) for name, layer in layers.items()}
    print("test accuracy: dense %.2f%%, pruned %.2f%% (%+.2f points)" % (dense, pruned, pruned - dense))
    for name in TARGET_SPARSITY:
        print("  %s: sparsity %.3f (Han et al.: %.2f)" % (name, sparsity[name], TARGET_SPARSITY[name]))

    models_dir = os.path.join(args.root, "models")
    os.makedirs(models_dir, exist_ok=True)
    onnx_path = os.path.join(models_dir, "lenet5_fashion.onnx")
    model.eval().cpu()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), onnx_path, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, dynamo=False)
    inputs_path = os.path.join(models_dir, "lenet5_fashion.inputs.npy")
    np.save(inputs_path, x_test[:32])
    with open(os.path.join(models_dir, "lenet5_fashion.json"), "w") as f:
        json.dump({"dataset": "Fashion-MNIST (Debian dataset-fashion-mnist)", "test_accuracy_dense": round(dense, 2),
                   "test_accuracy_pruned": round(pruned, 2), "weight_sparsity": sparsity,
                   "target_sparsity": TARGET_SPARSITY, "epochs": args.epochs, "pruning_steps": args.steps,
                   "fine_tuning_epochs_per_step": args.tune_epochs, "torch": torch.__version__, "device": device},
                  f, indent=1)
    import_onnx.import_model(onnx_path, "lenet5_fashion", args.root, inputs=inputs_path)
    if pruned < dense - 1.0:
        print("error: pruning cost %.2f points of test accuracy, over the 1 point allowed" % (dense - pruned))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
