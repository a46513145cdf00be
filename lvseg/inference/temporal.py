"""Temporally consistent segmentation: each frame's model output averaged with its neighbours' before the output rule.

A per-frame model sees one frame; on real video its masks flicker with haze and drop-out from frame to frame, and
that flicker is jitter in the volume curve that the beat finder cannot tell from motion. Averaging the raw
outputs (mask probabilities or landmark heatmaps) over a centred window of ``window`` frames (odd; at 50 fps, 3
frames span 40 ms, well under a 300 ms systole) keeps what persists and drops what flickers. Near a clip's ends
the window is cut to the frames that exist.

Batch (``temporal_mean`` over a whole clip, ``TemporalRunner``) and stream (``TemporalWindow``: one output in,
the output of the frame ``window // 2`` earlier out, with a ring buffer of ``window`` outputs) give bit-identical
outputs: both add a frame's window in frame order in float64, starting from zero, and divide by its length, so a
mask thresholded at exactly 0.5 cannot differ between a device and the batch job. A stream's results are
``window // 2`` frames late.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from lvseg.inference.decode import Segmentation
from lvseg.inference.runners import Runner

# Beyond about 0.3 s at 50 fps the mean would blur systole itself (a fast ejection lasts ~0.1-0.2 s); the bound
# also keeps the ring buffer small (a landmark model's window holds 15 x 112 x 112 x K float32 outputs).
MAX_WINDOW = 15


def window_problem(window: int) -> str | None:
    """What is wrong with a temporal window (not an odd number of frames from 1 to MAX_WINDOW), or None; the
    field check of every command's ``--temporal-window`` (lvseg.flags)."""
    if window < 1 or window % 2 == 0 or window > MAX_WINDOW:
        return f"the temporal window must be a positive odd number of frames up to {MAX_WINDOW}, got {window}"
    return None


def check_window(window: int) -> int:
    """``window`` itself when window_problem finds nothing; ValueError otherwise."""
    problem = window_problem(window)
    if problem:
        raise ValueError(problem)
    return window


def temporal_mean(outputs: np.ndarray, window: int) -> np.ndarray:
    """(T, ...) outputs -> the mean over a centred window of each frame (cut at the clip's ends), float32."""
    check_window(window)
    if window == 1 or len(outputs) == 0:
        return np.asarray(outputs)
    outputs = np.asarray(outputs, np.float32)
    frames, half = len(outputs), window // 2
    total = np.zeros(outputs.shape, np.float64)
    counts = np.zeros(frames, np.float64)
    for offset in range(-half, half + 1):  # in frame order: the stream's order of addition
        lo, hi = max(0, -offset), min(frames, frames - offset)
        if lo < hi:
            total[lo:hi] += outputs[lo + offset:hi + offset]
            counts[lo:hi] += 1
    return (total / counts.reshape((-1,) + (1,) * (outputs.ndim - 1))).astype(np.float32)


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
        """The frames not yet given out (the last ``half``, their windows cut at the clip's end); once."""
        return [self._average(self._released) for _ in range(self._pushed - self._released)]

    def _average(self, frame: int) -> np.ndarray:
        first = self._pushed - len(self._buffer)  # frame index of the oldest buffered output
        lo, hi = max(frame - self.half, 0), min(frame + self.half + 1, self._pushed)
        total = np.zeros(self._buffer[-1].shape, np.float64)
        for i in range(lo, hi):
            total += self._buffer[i - first]
        self._released += 1
        return (total / (hi - lo)).astype(np.float32)


class TemporalRunner(Runner):
    """A Runner whose outputs over a clip are ``temporal_mean`` of another runner's; same kind and scheme."""

    def __init__(self, runner: Runner, window: int) -> None:
        self.runner, self.window = runner, check_window(window)
        self.kind, self.landmark_scheme = runner.kind, runner.landmark_scheme

    def predict(self, frames: np.ndarray) -> np.ndarray:
        """uint8 frames (T, 112, 112) of ONE clip, in order -> averaged outputs (T, 112, 112, C)."""
        return temporal_mean(self.runner.predict(frames), self.window)

    def decode(self, output: np.ndarray) -> Segmentation:
        return self.runner.decode(output)

    def segment(self, frames: np.ndarray) -> list[Segmentation]:
        """One Segmentation per frame of ONE clip, in order, by the shared output rule on the averaged outputs.

        The outputs go through a TemporalWindow ``chunk`` frames at a time (memory: a chunk and a window,
        never the clip's outputs), exactly as the streaming analyser does; window 1 is the runner's own
        ``segment`` (its fast paths included).
        """
        if self.window == 1:
            return self.runner.segment(frames)
        frames, stream, out = np.asarray(frames), TemporalWindow(self.window), []
        for start in range(0, len(frames), self.chunk):
            for output in self.runner.predict(frames[start:start + self.chunk]):
                out += [self.decode(averaged) for averaged in stream.push(output)]
        return out + [self.decode(averaged) for averaged in stream.finish()]
