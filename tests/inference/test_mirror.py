"""Mirror averaging: outputs of mirrored frames mapped back onto the frame (masks and landmark channels), and the
runner that averages the two."""

from __future__ import annotations

import numpy as np
import pytest

from lvseg.geometry.heatmaps import decode_heatmaps, render_heatmaps
from lvseg.geometry.landmarks import landmarks
from lvseg.geometry.mask import Tracing
from lvseg.inference.decode import segment
from lvseg.inference.mirror import MirrorRunner, mirror_back
from lvseg.inference.runners import PREDICT_CHUNK as CHUNK
from lvseg.inference.runners import Runner, TFLiteRunner
from lvseg.synth.truth import video_truth

WIDTH = 112


def mirrored(tracing: Tracing) -> Tracing:
    return Tracing(WIDTH - 1 - tracing.x1, tracing.y1, WIDTH - 1 - tracing.x2, tracing.y2)


@pytest.mark.parametrize("scheme", ["contour16", "seed6"])
def test_a_mirrored_frames_landmark_heatmaps_map_back_onto_the_frames_own(scheme):
    # what a perfect landmark model outputs for the mirror image, mapped back, is its output for the frame itself
    tracing = video_truth(0, 3).tracings[0]
    own = landmarks(tracing, scheme)
    of_mirror = render_heatmaps(landmarks(mirrored(tracing), scheme))
    points, _ = decode_heatmaps(mirror_back(of_mirror[None], "landmarks", scheme)[0])
    np.testing.assert_allclose(points, own, atol=0.05)


class Columns(Runner):
    """A mask 'model' that is not mirror-symmetric: its probability rises from the left edge to the right one."""

    kind, landmark_scheme = "mask", None

    def predict(self, frames: np.ndarray) -> np.ndarray:
        ramp = np.broadcast_to(np.linspace(0.0, 1.0, WIDTH, dtype=np.float32), (WIDTH, WIDTH))
        return np.repeat(ramp[None, :, :, None], len(frames), axis=0)


def test_the_runner_averages_each_frame_with_its_mirror_image():
    frames = np.zeros((3, WIDTH, WIDTH), np.uint8)
    out = MirrorRunner(Columns()).predict(frames)
    assert out.shape == (3, WIDTH, WIDTH, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out, 0.5, atol=1e-6)  # left + right-to-left, halved


def test_a_model_that_commutes_with_mirroring_gives_the_same_masks(threshold_tflite):
    # LV where grey > 127, pixel by pixel: mirroring changes nothing, so any misplaced flip would show
    rng = np.random.default_rng(2)
    frames = rng.integers(0, 256, (4, WIDTH, WIDTH), dtype=np.uint8)
    frames[:, 20:60, 10:40] = 220  # an off-centre bright block
    runner = TFLiteRunner(threshold_tflite)
    plain = [s.mask for s in runner.segment(frames)]
    averaged = [s.mask for s in MirrorRunner(runner).segment(frames)]
    assert all(np.array_equal(a, b) for a, b in zip(plain, averaged))
    assert MirrorRunner(runner).segment_frame(frames[0]).mask.sum() == plain[0].sum()


class Counting(Columns):
    """Columns that records how many frames each predict call was given."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def predict(self, frames: np.ndarray) -> np.ndarray:
        self.calls.append(len(frames))
        return super().predict(frames)


def test_a_whole_video_is_segmented_a_chunk_at_a_time_with_the_same_masks():
    # now the default for every video: a long clip's raw outputs, twice over, must not sit in memory at once
    frames = np.zeros((2 * CHUNK + 5, WIDTH, WIDTH), np.uint8)
    inner = Counting()
    masks = [s.mask for s in MirrorRunner(inner).segment(frames)]
    assert len(masks) == len(frames) and max(inner.calls) <= CHUNK
    whole = [segment("mask", o).mask for o in MirrorRunner(Columns()).predict(frames)]
    assert all(np.array_equal(a, b) for a, b in zip(masks, whole))
