"""The streaming analyser: the same beats and EF as the whole-video analysis (with and without a temporal
window), bounded memory, and a real LiteRT interpreter as its runner."""

from __future__ import annotations

import numpy as np
import pytest

from lvseg.analysis import beats as B
from lvseg.analysis.video import analyse_video
from lvseg.geometry.landmarks import landmarks
from lvseg.geometry.mask import tracing_mask
from lvseg.geometry.spline import mask_from_landmarks
from lvseg.inference.decode import Segmentation, segment
from lvseg.inference.runners import Runner, TFLiteRunner
from lvseg.inference.stream import StreamAnalyser
from lvseg.inference.temporal import TemporalRunner
from lvseg.synth.anatomy import cycle, sample_heart

FPS, BPM, SYSTOLE = 50, 72, 0.35


class ThresholdRunner(Runner):
    """A mask 'model' for frames that are masks already: LV where the grey level is above 127."""

    kind, landmark_scheme = "mask", None

    def segment(self, frames: np.ndarray) -> list[Segmentation]:
        return [Segmentation((f > 127).astype(np.uint8)) for f in frames]


class ReplayRunner:
    """Hands out prepared Segmentations in order, whatever the frames (a landmark model's outputs)."""

    kind = "landmarks"

    def __init__(self, segmentations: list[Segmentation]) -> None:
        self.segmentations, self.next = segmentations, 0

    def segment(self, frames: np.ndarray) -> list[Segmentation]:
        out = self.segmentations[self.next:self.next + len(frames)]
        self.next += len(frames)
        return out


def heart_frames(n: int, start: float = 0.3, seed: int = 4):
    """uint8 frames (n, 112, 112) = 255 x the official mask of a synthetic LV beating at BPM, and the tracings."""
    heart = sample_heart(np.random.default_rng(seed), 55.0)
    states = cycle(start + np.arange(n) / (FPS * 60 / BPM), SYSTOLE)
    tracings = [heart.lv(float(c)).tracing() for c in states]
    return np.stack([tracing_mask(t) * 255 for t in tracings]).astype(np.uint8), tracings


@pytest.fixture(scope="module")
def video():
    frames, tracings = heart_frames(200)
    frames[[40, 41, 90, 150, 151, 152]] = 0  # failed frames: short gaps to bridge
    return frames, tracings


def stream(runner, frames, window: int = 1):
    analyser = StreamAnalyser(runner, FPS, temporal_window=window)
    results = [r for f in frames for r in analyser.push(f)]
    results += analyser.flush()
    tail = analyser.finish()
    return analyser, results, tuple(b for r in results for b in r.beats) + tail


def test_stream_equals_the_whole_video_analysis(video):
    frames, _ = video
    runner = ThresholdRunner()
    batch = analyse_video(runner.segment(frames), runner.kind, FPS)
    analyser, results, beats = stream(runner, frames)
    assert len(batch.beats) == 4 and beats == batch.beats
    assert analyser.ef == batch.ef and analyser.flags() == batch.flags == ()
    for r, m in zip(results, batch.measures):
        got = r.measure
        assert (got.ok, got.area, got.reason) == (m.ok, m.area, m.reason)
        assert got.volume == m.volume or (np.isnan(got.volume) and np.isnan(m.volume))
    assert [r.index for r in results] == list(range(len(frames)))
    # the running EF is the median of the good beats so far, reported from the frame that releases each beat
    # (a beat is released once the next one is found, or at the end)
    done = [i for i, r in enumerate(results) if r.beats]
    assert all(results[i].ef is None for i in range(done[0]))
    so_far = [b for r in results[:done[1] + 1] for b in r.beats]
    assert len(so_far) >= 2 and results[done[1]].ef == pytest.approx(B.median_ef(so_far))
    assert B.median_ef(so_far) == pytest.approx(np.median([b.ef for b in so_far if b.good] or [b.ef for b in so_far]))
    frames_seen, curve = analyser.recent_curve()
    smoothed = batch.curve.smoothed
    np.testing.assert_array_equal(curve, smoothed[frames_seen])
    assert frames_seen[-1] == len(frames) - 1 and len(frames_seen) == int(np.ceil(FPS * 60 / 40))


def test_stream_of_landmark_segmentations(video):
    _, tracings = video
    segmentations = []
    for t in tracings:
        points = landmarks(t, "contour16")
        segmentations.append(Segmentation(mask_from_landmarks(points), points, np.ones(16)))
    failed = Segmentation(np.zeros((112, 112), np.uint8), segmentations[60].landmarks, np.zeros(16), ok=False)
    segmentations[60] = failed
    batch = analyse_video(segmentations, "landmarks", FPS)
    analyser, results, beats = stream(ReplayRunner(segmentations), np.zeros((len(tracings), 112, 112), np.uint8))
    assert results[60].measure.reason == "segmentation_failed"
    assert len(beats) == 4 and beats == batch.beats and analyser.ef == batch.ef


def _held(obj, seen=None) -> int:
    """Items held in the containers of an object's attributes (recursing into lvseg objects)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    total = 0
    for value in vars(obj).values():
        if isinstance(value, np.ndarray):
            total += value.size
        elif isinstance(value, (list, tuple, dict, set)) or hasattr(value, "maxlen"):
            total += len(value)
        elif type(value).__module__.startswith("lvseg.analysis"):
            total += _held(value, seen)
    return total


def test_memory_stays_bounded_over_a_long_stream():
    cycle_frames, _ = heart_frames(int(FPS * 60 / BPM) * 2, start=0.0)  # two cycles, repeated
    runner = ThresholdRunner()
    analyser = StreamAnalyser(runner, FPS)
    sizes = []
    for i in range(3000):
        frame = cycle_frames[i % len(cycle_frames)] if i % 400 < 380 else np.zeros((112, 112), np.uint8)
        analyser.push(frame)  # every 400 frames a 20-frame failure: long gaps too
        if i >= 999 and i % 100 == 99:
            sizes.append(_held(analyser))
    # what is held depends on the phase of the beat and of the gaps, but never grows
    assert max(sizes[10:]) <= max(sizes[:10])
    assert analyser.tracker.beats > 60 and B.LONG_GAP in analyser.flags()
    assert len(analyser.tracker._recent) == B.BeatConfig().ef_beats


def test_stream_over_a_tflite_interpreter(video, threshold_tflite):
    """A one-layer int8 model that thresholds its input, run by lvseg.inference.runners.TFLiteRunner."""
    frames, _ = video
    runner = TFLiteRunner(threshold_tflite)
    assert runner.kind == "mask" and runner.input_details["dtype"] == np.int8
    analyser, results, beats = stream(runner, frames)
    reference = analyse_video(ThresholdRunner().segment(frames), "mask", FPS)
    assert all(np.array_equal(r.segmentation.mask, (f > 127)) for r, f in zip(results, frames))
    assert beats == reference.beats and analyser.ef == reference.ef
    # the int8 I/O tables give exactly what the quantization rules give
    noise = np.random.default_rng(0).integers(0, 256, (2, 112, 112), dtype=np.uint8)
    np.testing.assert_array_equal(runner.quantize_input(noise), runner._quantize(noise))
    raw = np.arange(-128, 128, dtype=np.int8).reshape(1, 16, 16, 1)
    np.testing.assert_array_equal(runner.dequantize_output(raw), runner._dequantize(raw))
    # and the mask table gives exactly the masks of the shared output rule on the dequantized outputs
    assert runner._mask_table is not None
    by_rule = [segment("mask", output).mask for output in runner.predict(noise)]
    assert all(np.array_equal(a.mask, b) for a, b in zip(runner.segment(noise), by_rule))
    by_value = segment("mask", runner._dequantize(raw)[0]).mask.ravel()  # outputs -128..127
    np.testing.assert_array_equal(runner._mask_table[np.arange(-128, 128).astype(np.int8).view(np.uint8)], by_value)
    np.testing.assert_array_equal(runner.quantize_input(noise[:1]), runner._quantize(noise[:1]))


@pytest.mark.parametrize("window", [1, 3])
def test_stream_and_batch_agree_exactly_with_a_temporal_window(video, threshold_tflite, window):
    """Stream (one frame per push, a ring buffer of outputs) and batch (TemporalRunner over the clip) give the
    same masks, beats, EF and flags; with a window the results come window // 2 frames late."""
    frames, _ = video
    runner = TFLiteRunner(threshold_tflite)
    batch_segmentations = TemporalRunner(runner, window).segment(frames)
    batch = analyse_video(batch_segmentations, runner.kind, FPS)
    analyser = StreamAnalyser(runner, FPS, temporal_window=window)
    first = analyser.push(frames[0])
    results = first + [r for f in frames[1:] for r in analyser.push(f)]
    assert len(first) == (1 if window == 1 else 0) and analyser.lag == window // 2
    assert len(results) == len(frames) - window // 2
    results += analyser.flush()
    beats = tuple(b for r in results for b in r.beats) + analyser.finish()
    assert [r.index for r in results] == list(range(len(frames)))
    assert all(np.array_equal(r.segmentation.mask, s.mask) for r, s in zip(results, batch_segmentations))
    assert len(batch.beats) >= 3 and beats == batch.beats
    assert analyser.video_ef == batch.ef and analyser.flags() == batch.flags
    # the window changes the answer where a frame drops out (frames 40, 41 are black): it is not ignored
    plain = runner.segment(frames)
    changed = [i for i, (a, b) in enumerate(zip(plain, batch_segmentations)) if not np.array_equal(a.mask, b.mask)]
    assert (changed == []) == (window == 1)
    if window == 3:
        assert {39, 42} <= set(changed)


class ProbabilityRunner(ThresholdRunner):
    """ThresholdRunner with raw outputs too (probability 0.9 inside, 0.1 outside), for a temporal window."""

    def predict(self, frames: np.ndarray) -> np.ndarray:
        return np.where(np.asarray(frames) > 127, 0.9, 0.1).astype(np.float32)[..., None]


def test_memory_stays_bounded_with_a_temporal_window():
    cycle_frames, _ = heart_frames(int(FPS * 60 / BPM) * 2, start=0.0)
    analyser = StreamAnalyser(ProbabilityRunner(), FPS, temporal_window=5)
    sizes, released = [], 0
    for i in range(2000):
        released += len(analyser.push(cycle_frames[i % len(cycle_frames)]))
        if i >= 999 and i % 100 == 99:
            sizes.append(_held(analyser) + len(analyser._window._buffer))
    assert max(sizes[5:]) <= max(sizes[:5]) and len(analyser._window._buffer) == 5
    assert released == 2000 - 2 and len(analyser.flush()) == 2 and analyser.flush() == []
    assert analyser.tracker.beats > 40
