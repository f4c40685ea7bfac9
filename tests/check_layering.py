#!/usr/bin/env python3
"""Fails when a file includes against the layer order of docs/architecture.md.

Each folder of harness/ is a layer with a rank; a file may include headers of its own folder and of
folders of lower rank only. Folders of equal rank (verify, backends, tune) do not include each other.
kernels/ includes nothing of harness/. measure/ sits below spec/: its settings are measure's own
vocabulary, which spec/ fills in from a sweep file, and measure/ includes nothing from spec/.
"""
import os
import re
import sys

ORDER = {
    "kernels": 0,
    "gpu": 1,
    "measure": 2,
    "spec": 3,
    "sparsity": 4,
    "data": 5,
    "verify": 6,
    "backends": 6,
    "tune": 6,
    "report": 7,
    "run": 8,
    "cli": 9,
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"((?:harness/)?([a-z_]+)/[^"]+)"', re.M)


def layer_of(path):
    parts = path.split("/")
    if parts[0] == "kernels":
        return "kernels"
    if parts[0] == "harness" and len(parts) > 2:
        return parts[1]
    return None


def violations(root):
    found = []
    for top in ("harness", "kernels"):
        for directory, _, files in os.walk(os.path.join(root, top)):
            for name in files:
                if not name.endswith((".hpp", ".cpp", ".cu", ".cuh", ".h")):
                    continue
                path = os.path.relpath(os.path.join(directory, name), root)
                layer = layer_of(path)
                if layer not in ORDER:
                    found.append(f"{path}: folder '{layer}' has no place in the layer order")
                    continue
                with open(os.path.join(root, path), encoding="utf-8") as f:
                    text = f.read()
                for match in INCLUDE.finditer(text):
                    target = match.group(1)
                    target_layer = layer_of(target)
                    if target_layer is None or target_layer == layer:
                        continue
                    if target_layer not in ORDER:
                        found.append(f"{path}: includes {target} from unknown folder '{target_layer}'")
                    elif layer == "kernels" or ORDER[target_layer] >= ORDER[layer]:
                        found.append(f"{path} ({layer}, rank {ORDER[layer]}) includes {target} "
                                     f"({target_layer}, rank {ORDER[target_layer]}): against the layer order")
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    found = violations(root)
    for line in found:
        print(line)
    print(f"{len(found)} include(s) against the layer order")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
