"""The models an evaluation compares, told apart by their metadata, and loaded once per worker.

A model spec is a Keras MODEL_DIR (trainer.artifacts: config.json says ``model`` = mask|landmarks)
or a ``.tflite`` file with its model card ``<name>.json`` beside it ("kind", "landmark_scheme",
"quantization"). ``describe`` reads only that metadata (no TensorFlow), so the launcher can name and
label models cheaply; ``load_predictor`` builds the predictor inside a worker (DoFn.setup), copying
gs:// models to a local temporary folder first.

Every predictor answers ``segment_batch(frames: list[EvalFrame]) -> list[Segmentation]``: the model
runs on the batch's images only and the shared rule (lvseg.predictions.segment) turns its output
into masks. Passing whole EvalFrames (not bare images) is what lets the TEST-ONLY oracles below look
up the truth.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from lvseg import storage
from lvseg.geometry.spline import mask_from_landmarks
from lvseg.predictions import MIN_LANDMARK_CONFIDENCE, Segmentation, segment

# TEST-ONLY: ``--models oracle:truth`` (returns the true mask), ``oracle:inverted`` (its complement)
# and ``oracle:landmarks`` (the spline through the frame's true landmarks; fails where there are none).
# They let tests run the whole job with known answers; they are not listed in --help.
ORACLE_PREFIX = "oracle:"
ORACLES = ("truth", "inverted", "landmarks")
ANY_SCHEME = "any"  # the landmark oracle follows whatever scheme each frame's true landmarks use


@dataclass(frozen=True)
class ModelInfo:
    """What the report says about a model; everything here comes from metadata files."""

    spec: str                 # the path given (or oracle:NAME)
    name: str                 # display name, unique within a run
    kind: str                 # "mask" or "landmarks"
    landmark_scheme: str      # "" for mask models
    format: str               # "keras", "tflite" or "oracle"
    quantization: str         # "float32", "int8", ... ("float32" for Keras models)


class Predictor(Protocol):
    kind: str
    landmark_scheme: str

    def segment_batch(self, frames: list) -> list[Segmentation]: ...


def describe(spec: str, name: str | None = None) -> ModelInfo:
    """ModelInfo of a spec from its config.json or model card; raises ValueError when neither says the kind."""
    if spec.startswith(ORACLE_PREFIX):
        mode = spec[len(ORACLE_PREFIX):]
        if mode not in ORACLES:
            raise ValueError(f"unknown oracle {spec!r}")
        if mode == "landmarks":
            return ModelInfo(spec, name or "oracle-landmarks", "landmarks", ANY_SCHEME, "oracle", "none")
        return ModelInfo(spec, name or f"oracle-{mode}", "mask", "", "oracle", "none")
    if spec.endswith(".tflite"):
        card = _read_json(spec[: -len(".tflite")] + ".json", "model card")
        kind, scheme, fmt = card.get("kind"), card.get("landmark_scheme") or "", "tflite"
        quantization = card.get("quantization") or "unknown"
        if isinstance(quantization, dict):  # export.card: {"method": variant, "description": ...}
            quantization = quantization.get("method", "unknown")
        default_name = os.path.basename(spec)[: -len(".tflite")]
        source_dir = (card.get("source_model") or {}).get("model_dir")
        if source_dir:  # export names files after the variant (int8.tflite): prefix the model they came from
            default_name = f"{model_dir_name(source_dir)}_{default_name}"
    else:
        config = _read_json(storage.join(spec, "config.json"), "trainer config")
        kind, scheme, fmt, quantization = config.get("model"), config.get("landmark_scheme") or "", "keras", "float32"
        default_name = model_dir_name(spec)
    if kind not in ("mask", "landmarks"):
        raise ValueError(f"{spec}: model kind must be 'mask' or 'landmarks', got {kind!r}")
    return ModelInfo(spec, name or default_name, kind, scheme if kind == "landmarks" else "", fmt, str(quantization))


def model_dir_name(model_dir: str) -> str:
    """A MODEL_DIR's display name: its folder, or the one above for lvseg cloud's models/<name>/model."""
    parts = model_dir.rstrip("/").split("/")
    return parts[-2] if parts[-1] == "model" and len(parts) > 1 else parts[-1]


def describe_all(specs: list[str]) -> list[ModelInfo]:
    """ModelInfos with unique, file-name-safe names (``name``, ``name-2``... on collisions)."""
    infos, seen = [], set()
    for spec in specs:
        base = safe_name(describe(spec).name)
        name, n = base, 1
        while name in seen:
            n += 1
            name = f"{base}-{n}"
        seen.add(name)
        infos.append(describe(spec, name))
    return infos


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "model"


def _read_json(path: str, what: str) -> dict:
    try:
        return json.loads(storage.read_text(path))
    except FileNotFoundError as err:
        raise ValueError(f"no {what} at {path}: cannot tell the model's kind") from err


class SegmenterPredictor:
    """Adapter over export.runtime's KerasSegmenter / TFLiteSegmenter: batched predict, shared output rule."""

    def __init__(self, segmenter, min_confidence: float = MIN_LANDMARK_CONFIDENCE):
        self.segmenter = segmenter
        self.kind = segmenter.kind
        self.landmark_scheme = segmenter.landmark_scheme or ""
        self.min_confidence = min_confidence

    def segment_batch(self, frames: list) -> list[Segmentation]:
        if not frames:
            return []
        outputs = self.segmenter.predict(np.stack([f.image for f in frames]).astype(np.uint8))
        return [segment(self.kind, out, self.min_confidence) for out in outputs]


class OraclePredictor:
    """TEST-ONLY: answers from the truth carried by each frame (see ORACLES)."""

    def __init__(self, mode: str):
        self.mode = mode
        self.kind = "landmarks" if mode == "landmarks" else "mask"
        self.landmark_scheme = ANY_SCHEME if mode == "landmarks" else ""

    def segment_batch(self, frames: list) -> list[Segmentation]:
        return [self._one(f) for f in frames]

    def _one(self, frame) -> Segmentation:
        empty = np.zeros(frame.image.shape, np.uint8)
        if self.mode == "landmarks":
            if frame.landmarks is None:
                return Segmentation(empty, ok=False)
            return Segmentation(mask_from_landmarks(frame.landmarks, frame.image.shape), frame.landmarks)
        if frame.mask is None:
            return Segmentation(empty, ok=False)
        truth = (frame.mask != 0).astype(np.uint8)
        return Segmentation(truth if self.mode == "truth" else 1 - truth)


def load_predictor(info: ModelInfo) -> Predictor:
    """The predictor of a model (call once per worker: it loads TensorFlow / the interpreter)."""
    if info.format == "oracle":
        return OraclePredictor(info.spec[len(ORACLE_PREFIX):])
    from export.runtime import KerasSegmenter, TFLiteSegmenter

    if info.format == "tflite":
        return SegmenterPredictor(TFLiteSegmenter(_localize(info.spec, [".tflite", ".json"])))
    from trainer.artifacts import CONFIG_FILE, MODEL_FILE

    return SegmenterPredictor(KerasSegmenter(_localize(info.spec, [MODEL_FILE, CONFIG_FILE])))


def _localize(spec: str, names: list[str]) -> str:
    """A local path for a model: itself when local, else a temporary copy of just the files it needs.

    ``names``: for a .tflite, its suffixes (the file, then its card); for a MODEL_DIR, its file names
    (not its logs or backups).
    """
    if not storage.is_gcs(spec):
        return spec
    local = tempfile.mkdtemp(prefix="lvseg-model-")
    if spec.endswith(".tflite"):
        stem = os.path.basename(spec)[: -len(".tflite")]
        sources = {stem + suffix: spec[: -len(".tflite")] + suffix for suffix in names}
        target = os.path.join(local, os.path.basename(spec))
    else:
        sources = {name: storage.join(spec, name) for name in names}
        target = local
    for name, source in sources.items():
        try:
            data = storage.read_bytes(source)
        except FileNotFoundError:
            continue  # a missing card: TFLiteSegmenter then guesses the kind from the output channels
        with open(os.path.join(local, name), "wb") as f:
            f.write(data)
    return target
