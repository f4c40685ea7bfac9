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
import sys

import fashion

# Han et al. 2015, Table 3 (LeNet-5): fraction of weights pruned per layer.
TARGET_SPARSITY = {"conv1": 0.34, "conv2": 0.88, "fc1": 0.92, "fc2": 0.81}


def build(nn):
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
    return model


def main(argv=None):
    args = fashion.arguments(__doc__, epochs=8, steps=4, tune_epochs=2, argv=argv)
    return fashion.run("lenet5_fashion", build, TARGET_SPARSITY, args)


if __name__ == "__main__":
    sys.exit(main())
