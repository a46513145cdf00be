"""``waist:MODEL``: the real threshold TFLite model (mask = grey > 127) on frames drawn as an LV leaking into the
atrium; the cut comes after the output rule, and after mirror or temporal averaging of the raw outputs."""

from __future__ import annotations

import numpy as np
import pytest

from lvseg.geometry.waist import cut_at_waist
from lvseg.inference.mirror import MirrorRunner
from lvseg.inference.models import ModelSpecError, describe, describe_all, load_runner, model_paths
from lvseg.inference.runners import TFLiteRunner
from lvseg.inference.stream import StreamAnalyser
from lvseg.inference.temporal import TemporalRunner
from lvseg.inference.waist_cut import WaistCutRunner
from tests.geometry.test_waist import atrium, ventricle


def leaky_frames(count: int = 5) -> np.ndarray:
    """Bright LV + LA silhouettes (the threshold model's 'LV'), the atrium's neck widening frame by frame."""
    return np.stack([((ventricle(angle=5.0 * i) | atrium(angle=5.0 * i, neck=9 + i % 2)) * 255).astype(np.uint8)
                     for i in range(count)])


@pytest.fixture(scope="module")
def plain(threshold_tflite) -> TFLiteRunner:
    return TFLiteRunner(threshold_tflite)


def test_the_cut_removes_the_atrium_and_leaves_the_rest_of_the_mask(plain):
    frames = leaky_frames()
    masks = [s.mask for s in plain.segment(frames)]
    cut = [s.mask for s in WaistCutRunner(plain).segment(frames)]
    for i, (mask, got) in enumerate(zip(masks, cut)):
        lv = ventricle(angle=5.0 * i)
        assert np.array_equal(got, cut_at_waist(mask))
        assert got.sum() < 0.8 * mask.sum() and not (got & ~mask).any()  # only removes, and removes the LA
        assert (got & lv).sum() > 0.97 * lv.sum()
    assert np.array_equal(WaistCutRunner(plain).segment_frame(frames[0]).mask, cut[0])


def test_mirror_and_temporal_average_the_outputs_before_the_cut(plain):
    frames = leaky_frames()
    for wrap in (MirrorRunner, lambda r: TemporalRunner(r, 3)):
        expected = [cut_at_waist(s.mask) for s in wrap(plain).segment(frames)]
        got = [s.mask for s in wrap(WaistCutRunner(plain)).segment(frames)]
        assert all(np.array_equal(a, b) for a, b in zip(got, expected))


def test_the_streaming_analyser_cuts_as_the_batch_runner_does(plain):
    frames = leaky_frames()
    batch = TemporalRunner(WaistCutRunner(plain), 3).segment(frames)
    stream = StreamAnalyser(WaistCutRunner(plain), fps=50.0, temporal_window=3)
    results = [r for frame in frames for r in stream.push(frame)] + stream.flush()
    assert [r.index for r in results] == list(range(len(frames)))
    assert all(np.array_equal(r.segmentation.mask, s.mask) for r, s in zip(results, batch))


def test_a_waist_spec_names_loads_and_checks_the_model_it_cuts(threshold_tflite):
    info = describe("waist:" + threshold_tflite)
    assert (info.spec, info.name, info.kind, info.format, info.quantization) == \
        ("waist:" + threshold_tflite, "threshold_cut", "mask", "tflite", "int8")
    assert [i.name for i in describe_all([threshold_tflite, "waist:" + threshold_tflite])] == \
        ["threshold", "threshold_cut"]
    runner = load_runner(info)
    assert isinstance(runner, WaistCutRunner) and isinstance(runner.runner, TFLiteRunner)
    assert model_paths(["waist:" + threshold_tflite, "gs://b/models/mask"]) == [threshold_tflite, "gs://b/models/mask"]


def test_a_landmark_model_or_a_missing_one_is_refused_in_one_line(model_files, tmp_path):
    _, _, landmarks_int8 = model_files
    with pytest.raises(ModelSpecError, match="waist cut applies to mask models"):
        describe("waist:" + landmarks_int8)
    with pytest.raises(ModelSpecError, match="no trainer config"):
        describe("waist:" + str(tmp_path / "nothing"))
