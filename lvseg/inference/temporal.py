"""Temporally consistent segmentation: each frame's model output averaged with its neighbours' before the output rule.

A per-frame model sees one frame; on real video its masks flicker with haze and drop-out from frame to frame, and
that flicker is jitter in the volume curve that the beat finder cannot tell from motion. Averaging the raw
outputs (mask probabilities or landmark heatmaps) over a centred window of ``window`` frames (odd; at 50 fps, 3
frames span 40 ms, well under a 300 ms systole) keeps what persists and drops what flickers. Near a clip's ends
the window is cut to the frames that exist.

Batch (``TemporalRunner.predict`` over a whole clip) and stream (``TemporalWindow``: one output in, the output
of the frame ``window // 2`` earlier out, with a ring buffer of ``window`` outputs) give identical outputs; a
stream's results are ``window // 2`` frames late.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from lvseg.inference.runners import Runner


def check_window(window: int) -> int:
    """``window`` itself when it is a positive odd number of frames; ValueError otherwise."""
    if window < 1 or window % 2 == 0:
        raise ValueError(f"the temporal window must be a positive odd number of frames, got {window}")
    return window


def temporal_mean(outputs: np.ndarray, window: int) -> np.ndarray:
    """(T, ...) outputs -> the mean over a centred window of each frame (cut at the clip's ends)."""
    check_window(window)
    if window == 1 or len(outputs) == 0:
        return np.asarray(outputs)
    outputs = np.asarray(outputs, np.float32)
    half = window // 2
    cumulative = np.concatenate([np.zeros_like(outputs[:1]), np.cumsum(outputs, axis=0, dtype=np.float64)])
    t = np.arange(len(outputs))
    lo, hi = np.maximum(t - half, 0), np.minimum(t + half + 1, len(outputs))
    counts = (hi - lo).reshape((-1,) + (1,) * (outputs.ndim - 1))
    return ((cumulative[hi] - cumulative[lo]) / counts).astype(np.float32)


class TemporalWindow:
    """The streaming form of ``temporal_mean``: push each frame's output, get finished frames' averaged outputs."""

    def __init__(self, window: int) -> None:
        self.window = check_window(window)
        self.half = window // 2
        self._buffer: deque[np.ndarray] = deque(maxlen=window)
        self._pushed = 0  # outputs pushed so far
        self._released = 0  # averaged outputs given out so far

    def push(self, output: np.ndarray) -> list[np.ndarray]:
        """Add frame ``pushed``'s output; returns the averaged output of frame ``pushed - half`` once it exists."""
        self._buffer.append(np.asarray(output, np.float32))
        self._pushed += 1
        return [self._average(self._released)] if self._pushed > self.half else []

    def finish(self) -> list[np.ndarray]:
        """The last ``half`` frames' averaged outputs (their windows cut at the clip's end)."""
        return [self._average(self._released) for _ in range(min(self.half, self._pushed))]

    def _average(self, frame: int) -> np.ndarray:
        first = self._pushed - len(self._buffer)  # frame index of the oldest buffered output
        lo, hi = max(frame - self.half, 0), min(frame + self.half + 1, self._pushed)
        self._released += 1
        return np.mean([self._buffer[i - first] for i in range(lo, hi)], axis=0).astype(np.float32)


class TemporalRunner(Runner):
    """A Runner whose outputs over a clip are ``temporal_mean`` of another runner's; same kind and scheme."""

    def __init__(self, runner: Runner, window: int) -> None:
        self.runner, self.window = runner, check_window(window)
        self.kind, self.landmark_scheme = runner.kind, runner.landmark_scheme

    def predict(self, frames: np.ndarray) -> np.ndarray:
        """uint8 frames (T, 112, 112) of ONE clip, in order -> averaged outputs (T, 112, 112, C)."""
        return temporal_mean(self.runner.predict(frames), self.window)
