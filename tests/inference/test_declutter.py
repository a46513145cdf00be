"""Static clutter suppression: what never moves is taken off, what moves stays, and a stream equals the clip."""

from __future__ import annotations

import numpy as np
import pytest

from lvseg.analysis.video import analyse_video
from lvseg.inference.declutter import FLOOR_S, StreamDeclutter, clutter_floor, declutter_clip, floor_frames
from lvseg.inference.stream import StreamAnalyser
from tests.inference.test_stream import FPS, ThresholdRunner, heart_frames


def clip(n: int = 150) -> np.ndarray:
    """Dark frames with a static bright blob (clutter, 120) and a bright bar (200) sweeping across columns."""
    frames = np.full((n, 112, 112), 10, np.uint8)
    frames[:, 5:25, 40:70] = 120
    for t in range(n):
        column = 10 + (t * 3) % 90
        frames[t, 60:100, column:column + 4] = 200
    return frames


def test_what_never_moves_loses_its_share_and_what_moves_keeps_its_echo():
    frames = clip()
    out = declutter_clip(frames, FPS, 0.5)
    # the blob's floor is 120 (a background pixel's 10): half of each is taken off
    assert np.all(out[:, 5:25, 40:70] == 60) and np.all(out[:, 40, :] == 5)
    # the bar passes a pixel for a few frames of the floor's span, so that pixel's floor stays the background's
    moving = out[:, 60:100][frames[:, 60:100] == 200]
    assert moving.size and np.all(moving == 195)
    assert np.array_equal(declutter_clip(frames, FPS, 0.0), frames)


def test_the_floor_is_the_first_seconds_low_percentile():
    frames = clip()
    span = floor_frames(FPS)
    assert span == round(FLOOR_S * FPS) < len(frames)
    late = frames.copy()
    late[span:, 30:40, 30:40] = 250  # clutter that appears after the span is not in the floor
    out = declutter_clip(late, FPS, 1.0)
    assert np.all(out[span:, 30:40, 30:40] == 240)
    assert np.all(clutter_floor(late[:span])[30:40, 30:40] == 10)


@pytest.mark.parametrize("n", [150, 40])  # longer and shorter than the floor's span
def test_a_stream_gives_the_clips_frames_bit_for_bit(n):
    frames, span = clip(n), floor_frames(FPS)
    stream = StreamDeclutter(FPS, 0.7)
    pushed = [stream.push(frame) for frame in frames]
    # nothing while the floor's span fills, then the whole span at once, then each frame as it comes
    expected = [0] * (span - 1) + [span] + [1] * (n - span) if n >= span else [0] * n
    assert [len(p) for p in pushed] == expected
    out = [f for p in pushed for f in p] + stream.finish()
    assert len(out) == n and np.array_equal(np.stack(out), declutter_clip(frames, FPS, 0.7))
    assert stream.finish() == []


def test_the_streaming_analyser_declutters_as_the_batch_job_does():
    frames, _ = heart_frames(200)
    frames[:, :, :20] = 150  # a static band above the runner's threshold (127) until 0.3 of it is taken off;
    # the LV (255) keeps 255 - 0.3 x 255 even where it never moves
    runner = ThresholdRunner()
    batch = analyse_video(runner.segment(declutter_clip(frames, FPS, 0.3)), runner.kind, FPS)
    plain = analyse_video(runner.segment(frames), runner.kind, FPS)
    assert [m.area for m in batch.measures] != [m.area for m in plain.measures]
    analyser = StreamAnalyser(runner, FPS, declutter=0.3)
    first = analyser.push(frames[0])
    results = first + [r for f in frames[1:] for r in analyser.push(f)] + analyser.flush()
    beats = tuple(b for r in results for b in r.beats) + analyser.finish()
    assert first == [] and [r.index for r in results] == list(range(len(frames)))
    assert [r.measure.area for r in results] == [m.area for m in batch.measures]
    assert beats == batch.beats and analyser.ef == batch.ef and len(beats) >= 3
