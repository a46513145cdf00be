"""Savitzky-Golay smoothing of a run of frames, one sample at a time, equal to the whole-curve filter.

RunSmoother gives scipy.signal.savgol_filter(x, window, polyorder, mode='interp') of a run, releasing each
smoothed sample as soon as its window is complete: interior samples once half a window of later frames
has arrived, the first and last half window from the polynomial fitted to the first / last window
(scipy's 'interp' edge rule). Every output is a fixed weighted sum of the window
(scipy.signal.savgol_coeffs at that position), so memory is one window.
"""

from __future__ import annotations

from collections import deque
from typing import NamedTuple

import numpy as np
from scipy.signal import savgol_coeffs


class Sample(NamedTuple):
    """One frame of a run: its index, the smoothed volume and the (gap-bridged) volume itself."""

    frame: int
    smoothed: float
    volume: float


def window_frames(seconds: float, fps: float) -> int:
    """Odd window length in frames spanning about ``seconds``, at least 3."""
    n = int(round(seconds * fps))
    return max(3, n if n % 2 else n + 1)


class RunSmoother:
    """Push (frame, value) of one run; get its Samples; ``finish`` releases the tail."""

    def __init__(self, window: int, polyorder: int) -> None:
        self.window, self.half = window, window // 2
        # row k: weights giving the window's polynomial at position k (the middle row is the usual filter)
        self.rows = np.stack([savgol_coeffs(window, polyorder, pos=k, use="dot") for k in range(window)])
        self.frames: deque[int] = deque(maxlen=window)
        self.values: deque[float] = deque(maxlen=window)
        self.count = 0

    def reset(self) -> None:
        """Start a new run."""
        self.frames.clear()
        self.values.clear()
        self.count = 0

    def _at(self, positions: range) -> list[Sample]:
        x = np.fromiter(self.values, np.float64, len(self.values))
        return [Sample(self.frames[k], float(self.rows[k] @ x), self.values[k]) for k in positions]

    def push(self, frame: int, value: float) -> list[Sample]:
        self.frames.append(frame)
        self.values.append(value)
        self.count += 1
        if self.count < self.window:
            return []
        return self._at(range(self.half + 1) if self.count == self.window else range(self.half, self.half + 1))

    def finish(self) -> list[Sample]:
        """The run's last half window (or, for a run shorter than the window, every sample unsmoothed)."""
        if self.count < self.window:
            return [Sample(f, v, v) for f, v in zip(self.frames, self.values)]
        return self._at(range(self.half + 1, self.window))
