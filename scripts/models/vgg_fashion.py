#!/usr/bin/env python3
"""A deeper pruned network of our own: a small VGG-style CNN (six 3x3 convs in three blocks, 32-64-128
channels, max-pool after each block) trained on Fashion-MNIST, magnitude-pruned in steps with fine-tuning to
VGG-16's per-layer sparsities of Han et al., exported to ONNX and imported with scripts/import_onnx.py with
the feature maps of 32 test images. Its deep layers read ReLU maps of 14x14 and 7x7, where an image can leave
whole channels dead: what dual_sparse skips.

    python3 scripts/models/vgg_fashion.py                # about 9 minutes on 2 CPU cores (20000 images)

Same data, determinism and outputs as lenet5_fashion.py (models/vgg_fashion.*, layers/vgg_fashion.yaml,
data/vgg_fashion/, configs/real/vgg_fashion*.yaml); models/vgg_fashion.json also records, per conv input,
the fraction of zeros and of whole zero planes. Exits 1 when pruning costs more than 1 point of test accuracy.
"""
import sys

import fashion

# Han et al. 2015, Table 4 (VGG-16), the first six convs: fraction of weights pruned; fc as VGG-16's fc6/fc8.
TARGET_SPARSITY = {"conv1_1": 0.42, "conv1_2": 0.78, "conv2_1": 0.66, "conv2_2": 0.64, "conv3_1": 0.47,
                   "conv3_2": 0.76, "fc1": 0.96, "fc2": 0.77}


def build(nn):
    model = nn.Sequential()
    channels = 1
    for block, width in ((1, 32), (2, 64), (3, 128)):
        for i in (1, 2):
            model.add_module(f"conv{block}_{i}", nn.Conv2d(channels, width, 3, padding=1))
            model.add_module(f"relu{block}_{i}", nn.ReLU())
            channels = width
        model.add_module(f"pool{block}", nn.MaxPool2d(2, 2))  # 28 -> 14 -> 7 -> 3
    model.add_module("flatten", nn.Flatten())
    model.add_module("fc1", nn.Linear(128 * 3 * 3, 256))
    model.add_module("relu_fc1", nn.ReLU())
    model.add_module("fc2", nn.Linear(256, 10))
    return model


def main(argv=None):
    # 20000 training images keep CPU training near 9 minutes; --train-images 0 takes all 60000.
    args = fashion.arguments(__doc__, epochs=12, steps=3, tune_epochs=2, train_images=20000, argv=argv)
    return fashion.run("vgg_fashion", build, TARGET_SPARSITY, args)


if __name__ == "__main__":
    sys.exit(main())
