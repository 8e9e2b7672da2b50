"""Runs an exported student's ONNX file with onnxruntime (the runtime's own proof, issue 22) on
MNIST IDX files, feeding raw grey levels 0-255 as [N, 1, 28, 28] float32 as the file says, and
prints JSON: the test errors and the logits of the first `--keep` images.

usage: python3 scripts/onnx-check.py MODEL.onnx IMAGES.idx LABELS.idx [--keep 100]
"""

import json
import sys

import numpy as np
import onnxruntime as ort


def idx(path):
    data = open(path, "rb").read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    model, images, labels = sys.argv[1:4]
    keep = int(sys.argv[sys.argv.index("--keep") + 1]) if "--keep" in sys.argv else 100
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    pixels = idx(images).astype(np.float32).reshape(-1, 1, 28, 28)
    truth = idx(labels)
    (logits,) = session.run(["logits"], {"pixels": pixels})
    meta = session.get_modelmeta().custom_metadata_map
    print(json.dumps({
        "errors": int((logits.argmax(axis=1) != truth).sum()),
        "total": int(len(truth)),
        "logits": logits[:keep].tolist(),
        "metadata": meta,
        "input": [session.get_inputs()[0].name, session.get_inputs()[0].shape],
    }))


main()
