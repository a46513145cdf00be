"""``waist:MODEL``: a mask model whose masks are cut at an annulus-like waist, beside the model itself.

The waist cut (lvseg.geometry.waist) removes what lies beyond a narrowing where a mask runs through the mitral
valve into the atrium: the leak that makes synthetic-trained masks too large on real echoes (issue 17). On
synthetic data it found no leak of that shape to cut and cost a little Dice on hazy frames, so it is not the
output rule (lvseg.inference.decode); it is measured on real frames by naming both specs in one run, e.g.
``lvseg evaluate --models models/mask waist:models/mask --external CAMUS`` or ``lvseg analyze --models
models/mask waist:models/mask``: the report then has the model with and without the cut side by side (the
cut one named ``<name>_cut``). Mask models only: a landmark model's outline is its spline, not a mask.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from lvseg.geometry.waist import cut_at_waist
from lvseg.inference.decode import Segmentation
from lvseg.inference.runners import Runner

PREFIX = "waist:"
NAME_SUFFIX = "_cut"


def inner_spec(spec: str) -> str | None:
    """The model spec a ``waist:`` spec cuts, or None for any other spec."""
    return spec[len(PREFIX):] if spec.startswith(PREFIX) else None


def cut(segmentation: Segmentation) -> Segmentation:
    """The segmentation with its mask cut at the waist (a failed one unchanged)."""
    return replace(segmentation, mask=cut_at_waist(segmentation.mask)) if segmentation.ok else segmentation


class WaistCutRunner(Runner):
    """Another mask runner's outputs, its output rule, then the waist cut. Wrappers around it (mirror averaging,
    the temporal window) average the raw outputs first and decode through it, so the cut comes last."""

    def __init__(self, runner: Runner) -> None:
        if runner.kind != "mask":
            raise ValueError(f"the waist cut applies to mask models, not {runner.kind!r}")
        self.runner, self.kind, self.landmark_scheme = runner, runner.kind, runner.landmark_scheme

    def predict(self, frames: np.ndarray) -> np.ndarray:
        return self.runner.predict(frames)

    def decode(self, output: np.ndarray) -> Segmentation:
        return cut(self.runner.decode(output))

    def segment(self, frames: np.ndarray) -> list[Segmentation]:
        """The wrapped runner's own segment (a TFLite model's table lookup included), then the cut."""
        return [cut(s) for s in self.runner.segment(frames)]
