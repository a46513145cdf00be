"""Streaming Savitzky-Golay: each sample released as soon as its window is complete, equal to scipy's
whole-curve savgol_filter(mode='interp')."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import savgol_filter

from lvseg.analysis.smoothing import RunSmoother, window_frames


@pytest.mark.parametrize("window,polyorder,n", [(5, 3, 40), (5, 2, 5), (15, 3, 100), (3, 2, 10)])
def test_run_smoother_equals_savgol_filter(window, polyorder, n):
    x = np.random.default_rng(window + n).normal(50, 10, n)
    smoother = RunSmoother(window, polyorder)
    out, released_at = {}, {}
    for i, v in enumerate(x):
        for frame, smoothed, value in smoother.push(100 + i, float(v)):
            out[frame], released_at[frame] = smoothed, i
            assert value == x[frame - 100]
    for frame, smoothed, _ in smoother.finish():
        out[frame], released_at[frame] = smoothed, n
    assert sorted(out) == list(range(100, 100 + n))
    np.testing.assert_allclose([out[100 + i] for i in range(n)], savgol_filter(x, window, polyorder, mode="interp"),
                               rtol=1e-12)
    half = window // 2
    for i in range(half, n - half):  # interior samples wait for half a window, not longer
        assert released_at[100 + i] == max(i + half, window - 1)


def test_a_run_shorter_than_the_window_is_left_as_it_is():
    smoother = RunSmoother(7, 3)
    assert [smoother.push(f, v) for f, v in [(0, 1.0), (1, 5.0), (2, 2.0)]] == [[], [], []]
    assert smoother.finish() == [(0, 1.0, 1.0), (1, 5.0, 5.0), (2, 2.0, 2.0)]
    smoother.reset()
    assert smoother.finish() == []


def test_window_frames_from_seconds():
    assert window_frames(0.1, 50) == 5 and window_frames(0.1, 138) == 15 and window_frames(0.1, 18) == 3
    assert all(window_frames(0.1, fps) % 2 == 1 for fps in range(1, 200))
