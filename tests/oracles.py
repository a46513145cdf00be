"""TEST-ONLY oracle models: ``oracle:truth``, ``oracle:inverted`` and ``oracle:landmarks``, whose answers are known.

They run through the real jobs (evaluation, analysis) because a fixture registers the ``oracle:`` spec
prefix with lvseg.inference.models (in-process: the local runner's workers share the registry). Each
oracle answers from the truth of the frames a test scores, looked up by the frame's pixels:
  truth      the true mask (Dice 1);        inverted   its complement (Dice 0);
  landmarks  the spline through the frame's true landmarks, which must equal the landmark ceiling;
  a frame with no known truth (an untraced video frame, an external frame for ``landmarks``) fails:
  an empty mask with ok=False.
They answer a frame they know, not its mirror image nor the frame less its clutter, and have no raw output to
average: analysis jobs run them with ``--no-mirror-average --declutter 0`` (lvseg.inference.mirror and
lvseg.inference.declutter are the defaults for real models).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lvseg.geometry.spline import mask_from_landmarks
from lvseg.inference.decode import Segmentation
from lvseg.inference.models import ModelInfo, SpecHandler, register_spec_prefix
from lvseg.inference.runners import Runner

PREFIX = "oracle:"
MODES = ("truth", "inverted", "landmarks")


@dataclass(frozen=True)
class Truth:
    mask: np.ndarray                     # uint8 (H, W) 0/1
    landmarks: np.ndarray | None = None  # (K, 2), where the frame carries them


class OracleRunner(Runner):
    """A Runner whose answers come from ``truth`` (frame pixels -> Truth)."""

    def __init__(self, mode: str, truth: dict[bytes, Truth], scheme: str):
        self.mode, self.truth = mode, truth
        self.kind = "landmarks" if mode == "landmarks" else "mask"
        self.landmark_scheme = scheme if mode == "landmarks" else None

    def segment(self, frames: np.ndarray) -> list[Segmentation]:
        return [self._one(frame) for frame in np.asarray(frames)]

    def _one(self, frame: np.ndarray) -> Segmentation:
        known = self.truth.get(np.ascontiguousarray(frame, np.uint8).tobytes())
        empty = np.zeros(frame.shape, np.uint8)
        if self.mode == "landmarks":
            if known is None or known.landmarks is None:
                return Segmentation(empty, ok=False)
            return Segmentation(mask_from_landmarks(known.landmarks, frame.shape), known.landmarks)
        if known is None:
            return Segmentation(empty, ok=False)
        mask = (known.mask != 0).astype(np.uint8)
        return Segmentation(mask if self.mode == "truth" else 1 - mask)


def describe_oracle(spec: str, scheme: str) -> ModelInfo:
    mode = spec[len(PREFIX):]
    if mode not in MODES:
        raise ValueError(f"unknown oracle {spec!r}")
    kind = "landmarks" if mode == "landmarks" else "mask"
    return ModelInfo(spec, f"oracle-{mode}", kind, scheme if kind == "landmarks" else "", "oracle", "none")


def register_oracles(truth: dict[bytes, Truth], scheme: str) -> None:
    """Let ``--models oracle:MODE`` reach OracleRunners over ``truth``; the landmark oracle uses ``scheme``."""
    register_spec_prefix(PREFIX, SpecHandler(
        describe=lambda spec: describe_oracle(spec, scheme),
        load=lambda info: OracleRunner(info.spec[len(PREFIX):], truth, scheme)))


def unregister_oracles() -> None:
    register_spec_prefix(PREFIX, None)


def add_truth(truth: dict[bytes, Truth], image: np.ndarray, mask: np.ndarray,
              landmarks: np.ndarray | None = None) -> None:
    truth[np.ascontiguousarray(image, np.uint8).tobytes()] = Truth(np.asarray(mask, np.uint8), landmarks)
