"""Temporal averaging of model outputs: the centred mean, its streaming form, and the runner wrapper."""

from __future__ import annotations

import numpy as np
import pytest

from lvseg.inference.runners import Runner
from lvseg.inference.decode import segment
from lvseg.inference.temporal import MAX_WINDOW, TemporalRunner, TemporalWindow, temporal_mean


def test_the_centred_mean_cuts_its_window_at_the_clip_ends():
    outputs = np.array([0.0, 3.0, 6.0, 0.0, 9.0])[:, None]
    np.testing.assert_allclose(temporal_mean(outputs, 3)[:, 0], [1.5, 3.0, 3.0, 5.0, 4.5])
    np.testing.assert_allclose(temporal_mean(outputs, 5)[:, 0], [3.0, 2.25, 3.6, 4.5, 5.0])
    np.testing.assert_array_equal(temporal_mean(outputs, 1), outputs)


@pytest.mark.parametrize("window", [1, 3, 5, 7])
@pytest.mark.parametrize("frames", [1, 2, 3, 6, 17])
def test_the_stream_gives_the_batch_outputs_in_order_half_a_window_late(window, frames):
    rng = np.random.default_rng(frames * 10 + window)
    outputs = rng.uniform(size=(frames, 4, 4, 2)).astype(np.float32)
    stream = TemporalWindow(window)
    released, lags = [], []
    for t, output in enumerate(outputs):
        got = stream.push(output)
        released.extend(got)
        lags.append(t + 1 - len(released))
    released.extend(stream.finish())
    assert len(released) == frames
    # bit for bit: a probability at exactly 0.5 must threshold the same on a device and in the batch job
    np.testing.assert_array_equal(np.stack(released), temporal_mean(outputs, window))
    assert stream.finish() == []
    assert max(lags) == min(window // 2, frames)


def test_flicker_is_averaged_away_and_steady_motion_kept():
    t = np.arange(50, dtype=np.float32)
    steady = 0.5 + 0.3 * np.sin(2 * np.pi * t / 40)  # a 0.8 s beat at 50 fps
    flicker = np.where(t % 7 == 3, -0.4, 0.0).astype(np.float32)  # a frame that drops out now and then
    smoothed = temporal_mean((steady + flicker)[:, None], 3)[:, 0]
    assert np.abs(smoothed - steady)[1:-1].max() < 0.5 * np.abs(flicker).max()
    assert np.abs(temporal_mean(steady[:, None], 3)[:, 0] - steady)[1:-1].max() < 0.005


class _Fixed(Runner):
    kind, landmark_scheme = "mask", None

    def __init__(self, outputs: np.ndarray) -> None:
        self.outputs = outputs

    def predict(self, frames: np.ndarray) -> np.ndarray:
        return self.outputs[: len(frames)]


def test_the_runner_thresholds_the_averaged_probabilities():
    probabilities = np.zeros((3, 112, 112, 1), np.float32)
    probabilities[:, 40:60, 40:60] = 0.9
    probabilities[1, 60:70, 40:60] = 0.9  # one frame's leak, absent before and after
    runner = TemporalRunner(_Fixed(probabilities), 3)
    masks = [s.mask for s in runner.segment(np.zeros((3, 112, 112), np.uint8))]
    assert all(m.sum() == 400 for m in masks)
    assert runner.kind == "mask"


def test_an_even_or_empty_window_is_refused():
    for bad in (0, 2, -1, MAX_WINDOW + 2):
        with pytest.raises(ValueError, match="positive odd"):
            TemporalWindow(bad)


def test_the_runner_segments_a_long_clip_chunk_by_chunk_as_its_whole_outputs_say():
    """TemporalRunner.segment (a window over chunks of predict) gives the masks of the whole clip's mean."""
    rng = np.random.default_rng(5)
    outputs = rng.uniform(0.3, 0.7, size=(70, 112, 112, 1)).astype(np.float32)  # > one predict chunk
    class Replay(_Fixed):
        """The clip's outputs in order, call after call."""

        done = 0

        def predict(self, frames: np.ndarray) -> np.ndarray:
            self.done += len(frames)
            return self.outputs[self.done - len(frames):self.done]

    runner = TemporalRunner(Replay(outputs), 5)
    got = runner.segment(np.zeros((70, 112, 112), np.uint8))
    expected = [segment("mask", o).mask for o in temporal_mean(outputs, 5)]
    assert len(got) == 70 and all(np.array_equal(g.mask, e) for g, e in zip(got, expected))
