"""Reading scbench result files: documents (.json or gzip'd .json.gz) and unfinished runs' checkpoints
(.partial.jsonl). Shared by report.py, targets.py and the tests, so that none imports another for it."""
import gzip
import json


def open_text(path):
    """A text stream over the file, decompressed when it is gzip (detected by content, not by name)."""
    with open(path, "rb") as raw:
        magic = raw.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def read_document(path):
    with open_text(path) as f:
        return json.load(f)


def results_of(path):
    """The results of a result document, or of an unfinished run's checkpoint (.partial.jsonl; its
    first line, the identity of the run that wrote it, is not a result)."""
    if str(path).endswith(".jsonl"):
        with open_text(path) as f:
            return [r for r in (json.loads(line) for line in f if line.strip()) if "case" in r]
    return read_document(path)["results"]


def label_of(case):
    """One backend configuration as the tables name it: 'cudnn fp32', 'im2col_cusparse{format=csr} fp32',
    'pecr+pool fp32' (fuse: pool)."""
    params = case.get("params") or {}
    text = case["backend"]
    if params:
        text += "{" + ",".join(f"{k}={v}" for k, v in sorted(params.items())) + "}"
    if case.get("fuse") == "pool":
        text += "+pool"  # conv + ReLU + max-pool as one op: compared only with other fused cases
    return f"{text} {case['precision']}"
