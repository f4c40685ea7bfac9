#!/usr/bin/env python3
"""Validates result documents against results/schema.json (jsonschema).

With --writer, first runs that program to produce a sample document; also checks that a
document breaking the schema's rules (an incorrect case with a timing) is rejected, so the
test can fail."""
import argparse
import copy
import gzip
import json
import os
import subprocess
import sys

import jsonschema


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--writer", help="program that writes a sample document to its argument")
    parser.add_argument("--workdir", default=".")
    parser.add_argument("documents", nargs="*")
    args = parser.parse_args()

    with open(args.schema) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    documents = list(args.documents)
    if args.writer:
        os.makedirs(args.workdir, exist_ok=True)
        sample = os.path.join(args.workdir, "sample_results.json")
        subprocess.run([args.writer, sample], check=True)
        documents.append(sample)
    if not documents:
        parser.error("no document to validate")

    failures = 0
    for path in documents:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt") as f:
            document = json.load(f)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        for error in errors[:10]:
            print(f"{path}: {'/'.join(map(str, error.path))}: {error.message}")
        failures += bool(errors)
        print(f"{path}: {'INVALID' if errors else 'valid'} ({len(document.get('results', []))} results)")
        if args.writer and path == documents[-1]:
            broken = copy.deepcopy(document)
            incorrect = next(r for r in broken["results"] if r["status"] == "incorrect")
            ok = next(r for r in broken["results"] if r["status"] == "ok")
            incorrect["timing"] = ok["timing"]
            if validator.is_valid(broken):
                print("schema accepted a timed incorrect case: the schema is too loose")
                failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
