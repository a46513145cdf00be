"""Writing the model card next to every .tflite (EXPORT_DIR/<name>.json): what a consumer must know.

Consumers read it with lvseg.inference.card: ``tflite_file``, ``kind``, ``landmark_scheme``, the exact
input encoding (int8 scale/zero point) and how to decode the output.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os

import numpy as np

from export.variants import VARIANTS
from lvseg import RESEARCH_NOTICE, __version__
from lvseg.inference.card import CARD_VERSION
from lvseg.inference.encode import INPUT_SPEC, INT8_INPUT_RULE, INT8_OUTPUT_RULE
from trainer.config import val_share


def sha256_file(path: str) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def gzip_size(path: str) -> int:
    """Bytes of the file gzip-compressed: the download size, where pruned (zeroed) weights pay off."""
    with open(path, "rb") as f:
        return len(gzip.compress(f.read(), mtime=0))


def tensor_spec(details: dict, role: str) -> dict:
    """Shape, dtype and (for integer tensors) scale/zero point of an interpreter input or output tensor."""
    spec = {"shape": [int(d) for d in details["shape"]], "dtype": np.dtype(details["dtype"]).name}
    if details["dtype"] != np.float32:
        scale, zero_point = details["quantization"]
        spec.update(scale=float(scale), zero_point=int(zero_point))
        spec["quantization_rule"] = INT8_INPUT_RULE if role == "input" else INT8_OUTPUT_RULE
    return spec


def landmark_fields(config: dict) -> dict:
    """landmark_scheme, num_landmarks, heatmap_sigma of a landmark model; None for a mask model (it has none)."""
    keys = ("landmark_scheme", "num_landmarks", "heatmap_sigma")
    return {key: config.get(key) if config["model"] == "landmarks" else None for key in keys}


def output_meaning(config: dict) -> dict:
    """What the output channels are and how to turn them into a mask (pointing at the one shared rule)."""
    if config["model"] == "mask":
        return {"meaning": "LV probability per pixel (sigmoid), channel 0",
                "decode": "lvseg.inference.decode.segment('mask', output): LV where probability > 0.5"}
    return {"meaning": f"one Gaussian heatmap per landmark ({config.get('num_landmarks')} channels, "
                       f"scheme {config.get('landmark_scheme')}, sigma {config.get('heatmap_sigma')} px, "
                       "peak 1 at the landmark)",
            "decode": "lvseg.inference.decode.segment('landmarks', output): sub-pixel peak per channel "
                      "(lvseg.geometry.heatmaps.decode_heatmaps), a closed spline through the points, filled; "
                      "fails (empty mask, ok=False) when any peak is below "
                      "lvseg.inference.decode.MIN_LANDMARK_CONFIDENCE",
            "landmark_scheme": config.get("landmark_scheme"), "num_landmarks": config.get("num_landmarks"),
            "heatmap_sigma": config.get("heatmap_sigma")}


def declutter_fields(config: dict) -> dict:
    """How the frames the model learned from had lost their clip's static clutter (lvseg train --declutter):
    a device should show it frames the same way (lvseg.inference.declutter, --declutter of analyze and stream)."""
    trained = float(config.get("declutter") or 0.0)
    return {"trained_share": [0.0, trained], "validation_share": val_share(trained),
            "rule": "frame - share x floor, clipped to 0-255, truncated to uint8; floor = each pixel's "
                    "lvseg.inference.declutter.FLOOR_PERCENTILE over the clip's first FLOOR_S seconds"}


def build_card(*, name: str, variant: str, tflite_path: str, io: tuple[dict, dict], config: dict,
               source: dict, quantization: dict, validation: dict, latency: dict) -> dict:
    """The card's content. ``io`` = interpreter (input, output) details; the other dicts are recorded as given."""
    input_details, output_details = io
    return {
        "card_version": CARD_VERSION,
        "name": name,
        "tflite_file": os.path.basename(tflite_path),
        "tflite_sha256": sha256_file(tflite_path),
        "size_bytes": os.path.getsize(tflite_path),
        "size_bytes_gzip": gzip_size(tflite_path),
        "kind": config["model"],
        **landmark_fields(config),
        "quantization": {"method": variant, "description": VARIANTS[variant], **quantization},
        "input": {**tensor_spec(input_details, "input"), "normalization": INPUT_SPEC["normalization"],
                  "layout": "NHWC, batch 1, one grey frame", "declutter": declutter_fields(config)},
        "output": {**tensor_spec(output_details, "output"), "range": [0.0, 1.0], **output_meaning(config)},
        "source_model": source,
        "validation": validation,
        "latency_ms": latency,
        "lvseg_version": __version__,
        "notice": RESEARCH_NOTICE,
    }


def write_card(card: dict, path: str) -> None:
    with open(path, "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
