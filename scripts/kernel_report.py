"""Registers per direct_sparse instantiation (ptxas -v) and the instruction mix of its hottest loop (SASS).

Usage: python3 scripts/kernel_report.py PTXAS_LOG SASS_FILE [--kernel 'IfLi4ELi2E']
The hottest loop is the backward-branch loop with the most FFMA in the chosen instantiation
(default: fp32, 4 pixels, 2 channels per warp).
"""
import argparse
import collections
import re


STORAGE = {"f": "fp32", "6__half": "fp16", "13__nv_bfloat16": "bf16"}


def registers(ptxas_log):
    """(storage, pixels, channels_per_warp, unit_stride, registers, spill store bytes) per instantiation."""
    rows, current, spills = [], None, 0
    for line in open(ptxas_log):
        m = re.search(r"Compiling entry function '(\S+)'", line)
        if m:
            current, spills = m.group(1), 0
            continue
        m = re.search(r"(\d+) bytes spill stores", line)
        if m:
            spills = int(m.group(1))
        m = re.search(r"Used (\d+) registers", line)
        if m and current and "direct_sparse_kernel" in current:
            t = re.search(r"direct_sparse_kernelI(\w+?)Li(\d+)ELi(\d+)ELb([01])E", current)
            rows.append((STORAGE.get(t.group(1), t.group(1)), int(t.group(2)), int(t.group(3)),
                         "yes" if t.group(4) == "1" else "no", int(m.group(1)), spills))
    return rows


def functions(sass_file):
    name, body = None, []
    for line in open(sass_file):
        m = re.search(r"Function : (\S+)", line)
        if m:
            if name:
                yield name, body
            name, body = m.group(1), []
            continue
        m = re.match(r"\s+/\*([0-9a-f]{4,})\*/\s+(.*?);", line)
        if m and name:
            body.append((int(m.group(1), 16), m.group(2)))
    if name:
        yield name, body


def opcode(text):
    text = re.sub(r"^@!?U?P\w+\s+", "", text.strip())
    return text.split()[0] if text else ""


def hottest_loop(body):
    best = None
    for address, text in body:
        m = re.search(r"BRA\s+(?:`\(\.L_x_\d+\)|0x([0-9a-f]+))", text)
        target = None
        if m and m.group(1):
            target = int(m.group(1), 16)
        if target is None:
            m = re.search(r"BRA\s+\S*?0x([0-9a-f]+)", text)
            target = int(m.group(1), 16) if m else None
        if target is None or target >= address:
            continue
        loop = [t for a, t in body if target <= a <= address]
        ffma = sum(1 for t in loop if opcode(t).startswith("FFMA"))
        if best is None or ffma > best[0]:
            best = (ffma, loop)
    return best[1] if best else []


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("ptxas_log")
    parser.add_argument("sass")
    parser.add_argument("--kernel", default="IfLi4ELi2E")
    args = parser.parse_args()
    print("| storage | pixels | channels_per_warp | unit stride | registers | spill stores (bytes) |\n"
          "|---|---|---|---|---|---|")
    for row in registers(args.ptxas_log):
        print("| " + " | ".join(map(str, row)) + " |")
    for name, body in functions(args.sass):
        if "direct_sparse_kernel" not in name or args.kernel not in name:
            continue
        loop = hottest_loop(body)
        mix = collections.Counter(opcode(t).split(".")[0] for t in loop)
        total = sum(mix.values())
        print(f"\nhottest loop of {args.kernel}: {total} instructions")
        for op, count in mix.most_common():
            print(f"  {op:8s} {count:4d}  {100.0 * count / total:5.1f}%")
        break


if __name__ == "__main__":
    main()
