"""Mirror averaging: each frame segmented as it is and left-right mirrored, the two raw outputs averaged.

An apical four-chamber view is displayed either way round (labs differ) and lvseg's models are trained with
random mirroring, so the mirror image is a second, partly independent look at the same ventricle (nnU-Net's
mirroring at test time, on one axis). Averaging the two outputs before the output rule (lvseg.inference.decode)
steadies the masks at the cost of a second inference per frame. It is the default of lvseg analyze and lvseg
stream (``--no-mirror-average`` turns it off, for hardware that cannot afford two inferences per frame); the
choice was made on data no reported figure comes from. On the demo's VAL frames (`python
benchmarks/flip_average.py`): mask Dice 0.9580 -> 0.9587 and area-based EF MAE 4.16 -> 3.97, landmarks
0.9506 -> 0.9543 and 4.45 -> 4.28 (an earlier release's demo models: 0.9568 -> 0.9593 and 4.22 -> 3.78,
0.9489 -> 0.9518 and 5.31 -> 5.20). On held-out physiology seed 3 with that release (96 clips,
`benchmarks/physiology.py --seed 3 --videos 12`): mean per-preset EF MAE 4.28 -> 3.58 (mask) and 5.35 -> 5.18
(landmarks). Measured on synthetic frames only.
"""

from __future__ import annotations

import numpy as np

from lvseg.geometry.landmarks import flip_permutation
from lvseg.inference.decode import Segmentation
from lvseg.inference.runners import Runner


def mirror_back(outputs: np.ndarray, kind: str, landmark_scheme: str | None) -> np.ndarray:
    """Outputs (N, H, W, C) of mirrored frames, mapped back onto the frames themselves: flipped back and, for a
    landmark model, its channels put back in order (the mirror image's contour runs the other way round:
    lvseg.geometry.landmarks.flip_permutation, the order the training flips use)."""
    back = np.asarray(outputs)[:, :, ::-1, :]
    return back[..., flip_permutation(str(landmark_scheme))] if kind == "landmarks" else back


class MirrorRunner(Runner):
    """A Runner whose output for a frame is the mean of another runner's outputs for it and its mirror image."""

    def __init__(self, runner: Runner) -> None:
        self.runner, self.kind, self.landmark_scheme = runner, runner.kind, runner.landmark_scheme

    def predict(self, frames: np.ndarray) -> np.ndarray:
        frames = np.asarray(frames)
        frames = frames[None] if frames.ndim == 2 else frames
        plain = self.runner.predict(frames)
        mirrored = mirror_back(self.runner.predict(np.ascontiguousarray(frames[:, :, ::-1])), self.kind,
                               self.landmark_scheme)
        return ((plain.astype(np.float64) + mirrored) / 2.0).astype(np.float32)

    def decode(self, output: np.ndarray) -> Segmentation:
        return self.runner.decode(output)
