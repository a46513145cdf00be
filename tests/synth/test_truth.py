"""Probe motion and per-frame truth: rigid motion keeps volumes, traced frames stay in range, truth replays files."""

from __future__ import annotations

import csv
import os

import numpy as np
import pytest

from lvseg.geometry.mask import disk_volume, tracing_mask
from lvseg.synth import generate_echonet
from lvseg.synth.anatomy import sample_heart, tracing_checks
from lvseg.synth.motion import Similarity, rotation_about
from lvseg.synth.plan import plan_video
from lvseg.synth.truth import MM_PER_PIXEL, video_truth


def test_similarities_compose_and_invert():
    a, b = Similarity(1.3, 0.2, (3.0, -1.0)), rotation_about((50.0, -4.0), -0.05, (1.0, 2.0))
    points = np.random.default_rng(0).uniform(0, 112, (10, 2))
    np.testing.assert_allclose(a.then(b).apply(points), b.apply(a.apply(points)), atol=1e-9)
    np.testing.assert_allclose(a.inverse().apply(a.apply(points)), points, atol=1e-9)
    np.testing.assert_allclose(b.apply(np.array([50.0, -4.0])), [51.0, -2.0], atol=1e-9)  # the pivot stays put


def test_rigid_motion_moves_the_tracing_but_not_its_volume():
    heart = sample_heart(np.random.default_rng(5), 60.0)
    moved = rotation_about((55.0, -3.0), np.radians(2.0), (1.5, -2.0))
    for c in (1.0, 0.0):
        lv = heart.lv(c)
        still, shifted = lv.tracing(), moved.chamber(lv).tracing()
        np.testing.assert_allclose(shifted.rows()[:, :2], moved.apply(still.rows()[:, :2]), atol=1e-6)
        assert disk_volume(shifted, MM_PER_PIXEL) == pytest.approx(disk_volume(still, MM_PER_PIXEL), rel=1e-9)


def test_clips_move_and_their_traced_frames_stay_in_the_real_ranges():
    excursions = []
    for i in range(12):
        plan = plan_video(21, i, max_frames=64)
        ed, es = plan.tracing(plan.timing.ed_frame), plan.tracing(plan.timing.es_frame)
        assert tracing_checks(ed, es, plan.ef_target)
        apex = plan.heart.lv_ed.apex
        moved = np.array([plan.pose(t).apply(apex) for t in range(plan.frames)])
        excursions.append(np.hypot(*(moved - apex).T).max())  # how far the probe moves the apex within the clip
        assert np.ptp(np.degrees(plan.motion.angle)) < 8.0 and np.abs(plan.motion.shift).max() < 4.0
    assert np.median(excursions) > 0.8 and max(excursions) < 6.0  # a few px: the heart really moves


def test_truth_replays_the_written_tracings_and_volumes(tmp_path):
    root = str(tmp_path / "data")
    generate_echonet(root, videos=3, seed=13, max_frames=24, truth=True)
    with open(os.path.join(root, "FileList.csv")) as handle:
        filelist = list(csv.DictReader(handle))
    with open(os.path.join(root, "VolumeTracings.csv")) as handle:
        tracings = list(csv.DictReader(handle))
    with open(os.path.join(root, "FrameVolumes.csv")) as handle:
        volumes = list(csv.DictReader(handle))
    assert list(volumes[0]) == ["FileName", "Frame", "Volume", "Area"]
    for index, row in enumerate(filelist):
        truth = video_truth(13, index, max_frames=24)
        assert truth.name == row["FileName"] and len(truth.volumes) == int(row["NumberOfFrames"])
        assert truth.volumes[truth.ed_frame] == pytest.approx(float(row["EDV"]), abs=1e-6)
        assert truth.volumes[truth.es_frame] == pytest.approx(float(row["ESV"]), abs=1e-6)
        for frame in (truth.ed_frame, truth.es_frame):
            written = np.array([[float(r[c]) for c in ("X1", "Y1", "X2", "Y2")] for r in tracings
                                if r["FileName"] == row["FileName"] + ".avi" and int(r["Frame"]) == frame])
            np.testing.assert_allclose(truth.tracings[frame].rows(), written, atol=1e-6)
        mine = [r for r in volumes if r["FileName"] == row["FileName"]]
        assert [int(r["Frame"]) for r in mine] == list(range(len(truth.volumes)))
        np.testing.assert_allclose([float(r["Volume"]) for r in mine], truth.volumes, atol=1e-6)
        assert [int(r["Area"]) for r in mine] == [int(m.sum()) for m in truth.masks()]
        # the volume curve follows the LV state: largest at ED, smallest at ES within the traced beat
        lo, hi = sorted((truth.ed_frame, truth.es_frame))
        beat = truth.volumes[lo:hi + 1]
        # the isovolumic plateaus hold the state; motion changes the rounded tracings' volumes by ~1e-7 mL
        assert beat.max() == pytest.approx(truth.volumes[truth.ed_frame], rel=1e-6)
        assert beat.min() == pytest.approx(truth.volumes[truth.es_frame], rel=1e-6)
        np.testing.assert_array_equal(truth.mask(truth.ed_frame), tracing_mask(truth.tracings[truth.ed_frame]))
