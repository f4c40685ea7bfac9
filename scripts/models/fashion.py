"""The pipeline shared by our pruned Fashion-MNIST networks (lenet5_fashion.py, vgg_fashion.py): read the
Debian package's IDX files, train, magnitude-prune in steps with fine-tuning, export to ONNX, import with
scripts/import_onnx.py together with the feature maps of 32 test images, and record accuracy and sparsities in
models/NAME.json. Deterministic: one seed, deterministic kernels.
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


def arguments(doc, epochs, steps, tune_epochs, train_images=0, argv=None):
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0], epilog=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=DATA, help="directory of the Fashion-MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=epochs, help="dense training epochs")
    parser.add_argument("--steps", type=int, default=steps, help="pruning steps, each followed by fine-tuning")
    parser.add_argument("--tune-epochs", type=int, default=tune_epochs, help="fine-tuning epochs after each pruning step")
    parser.add_argument("--train-images", type=int, default=train_images,
                        help="train on the first N images only (0: all 60000)")
    parser.add_argument("--root", default=REPO, help="where models/, layers/, data/ and configs/ go")
    return parser.parse_args(argv)


def dead_channels(features):
    """Per conv input (N x C x H x W): the fraction of zeros, and of whole planes of an image that are zero."""
    planes = features.reshape(features.shape[0], features.shape[1], -1)
    return {"zeros": round(float((features == 0).mean()), 4),
            "dead_channel_planes": round(float((np.abs(planes).max(-1) == 0).mean()), 4)}


def run(name, build, target_sparsity, args):
    """Trains build(nn) (a torch.nn.Sequential with the layers named in target_sparsity), prunes it to those
    sparsities and exports and imports it as NAME. Returns the exit code: 1 when pruning costs more than 1
    point of test accuracy."""
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
    if args.train_images:
        x_train, y_train = x_train[:args.train_images], y_train[:args.train_images]

    model = build(nn).to(device)
    layers = {layer: getattr(model, layer) for layer in target_sparsity}
    masks = {layer: torch.ones_like(module.weight) for layer, module in layers.items()}

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
                    for layer, module in layers.items():
                        module.weight.mul_(masks[layer])
            print("  epoch %d: test accuracy %.2f%%" % (epoch + 1, accuracy()), flush=True)

    print("dense training (%d epochs, %s)" % (args.epochs, device), flush=True)
    train(args.epochs, 0.01)
    dense = accuracy()
    for step in range(1, args.steps + 1):
        with torch.no_grad():
            for layer, module in layers.items():
                target = target_sparsity[layer] * step / args.steps
                magnitudes = module.weight.abs().flatten()
                threshold = magnitudes.kthvalue(max(1, int(target * magnitudes.numel()))).values
                masks[layer] = (module.weight.abs() > threshold).float()
                module.weight.mul_(masks[layer])
        print("pruning step %d/%d, then %d epochs of fine-tuning" % (step, args.steps, args.tune_epochs), flush=True)
        train(args.tune_epochs, 0.005)
    pruned = accuracy()
    sparsity = {layer: float((module.weight == 0).float().mean()) for layer, module in layers.items()}
    print("test accuracy: dense %.2f%%, pruned %.2f%% (%+.2f points)" % (dense, pruned, pruned - dense))
    for layer in target_sparsity:
        print("  %s: sparsity %.3f (target %.2f)" % (layer, sparsity[layer], target_sparsity[layer]))

    models_dir = os.path.join(args.root, "models")
    os.makedirs(models_dir, exist_ok=True)
    onnx_path = os.path.join(models_dir, name + ".onnx")
    model.eval().cpu()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), onnx_path, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, dynamo=False)
    inputs_path = os.path.join(models_dir, name + ".inputs.npy")
    np.save(inputs_path, x_test[:32])
    record = {"dataset": "Fashion-MNIST (Debian dataset-fashion-mnist)", "test_accuracy_dense": round(dense, 2),
              "test_accuracy_pruned": round(pruned, 2), "weight_sparsity": sparsity,
              "target_sparsity": target_sparsity, "epochs": args.epochs, "pruning_steps": args.steps,
              "fine_tuning_epochs_per_step": args.tune_epochs, "torch": torch.__version__, "device": device}
    if args.train_images:
        record["train_images"] = args.train_images
    paths = import_onnx.import_model(onnx_path, name, args.root, inputs=inputs_path)
    # What the activation-sparse kernels can skip in these real maps: scattered zeros, or whole dead planes.
    record["conv_inputs"] = {os.path.splitext(f)[0]: dead_channels(np.load(os.path.join(paths["features"], f)))
                             for f in sorted(os.listdir(paths["features"]))}
    with open(os.path.join(models_dir, name + ".json"), "w") as f:
        json.dump(record, f, indent=1)
    if pruned < dense - 1.0:
        print("error: pruning cost %.2f points of test accuracy, over the 1 point allowed" % (dense - pruned))
        return 1
    return 0
