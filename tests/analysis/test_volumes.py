"""Per-frame measures: a shape with an analytic disk volume, official masks of synthetic tracings
(mask-derived long axis, volume and EF against the tracings and FileList), the landmark path, and
clean failures on bad masks."""

from __future__ import annotations

import numpy as np
import pytest

from lvseg.analysis import volumes
from lvseg.analysis.volumes import measure, measure_landmarks, measure_mask, outer_contour
from lvseg.datasets.echonet import assign_phases, plan_dataset
from lvseg.geometry.disks import tracing_from_contour
from lvseg.geometry.landmarks import landmarks
from lvseg.geometry.mask import disk_volume, tracing_mask
from lvseg.geometry.spline import mask_from_landmarks
from lvseg.inference.decode import Segmentation
from lvseg.synth import generate_echonet


def ellipse(centre, a, b, angle_deg, n=720):
    """Closed contour of an ellipse with semi-axes a (along the tilted long axis) and b; (apex, base)."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    u = np.array([np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))])
    v = np.array([-u[1], u[0]])
    pts = centre + np.outer(a * np.cos(t), u) + np.outer(b * np.sin(t), v)
    return pts, centre - a * u, centre + a * u


@pytest.mark.parametrize("a,b,angle", [(30, 13, 90), (30, 13, 75), (24, 10, 82), (33, 16, 68)])
def test_ellipse_volume_matches_the_analytic_disk_sum(a, b, angle):
    contour, apex, base = ellipse(np.array([56.0, 55.0]), a, b, angle)
    official = tracing_mask(tracing_from_contour(contour, apex, base))  # the ellipse cut at its end chords
    z = (np.arange(20) + 0.5) / 20 * 2 * a - a  # chord centres relative to the ellipse centre
    analytic = np.sum(np.pi / 4 * (2 * b * np.sqrt(1 - (z / a) ** 2)) ** 2 * (2 * a / 20)) / 1000
    m = measure_mask(official)
    assert m.ok
    # rasterising the polygon (np.rint of its vertices) costs these small shapes 1-5 % of their volume
    # and moves their ends by about half a pixel
    assert analytic * 0.94 < m.volume < analytic * 1.01
    assert m.length == pytest.approx(2 * a, rel=0.03)
    found_apex, found_base = m.tracing.long_axis
    assert np.hypot(*(found_apex - apex)) < 1.2 and np.hypot(*(found_base - base)) < 1.2


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    """(FileList EF, ED tracing, ES tracing) of 30 synthetic videos."""
    root = str(tmp_path_factory.mktemp("analysis_echonet"))
    generate_echonet(root, videos=30, seed=14, max_frames=20)
    tasks = plan_dataset(root).tasks
    out = []
    for task in tasks:
        ed, es = assign_phases(task.tracings)
        out.append((task.meta.ef, task.tracings[ed], task.tracings[es]))
    return out


def _ef(ed: float, es: float) -> float:
    return (ed - es) / ed * 100.0


def test_official_masks_reproduce_the_tracings_and_filelist_ef(traced):
    vol_err, len_err, ef_err = [], [], []
    for filelist_ef, ed, es in traced:
        got = [measure_mask(tracing_mask(t)) for t in (ed, es)]
        assert all(m.ok for m in got)
        for m, t in zip(got, (ed, es)):
            vol_err.append(m.volume / disk_volume(t, 1.0) - 1)
            apex, base = t.long_axis
            len_err.append(m.length / np.hypot(*(base - apex)) - 1)
        ef_err.append(_ef(got[0].volume, got[1].volume) - filelist_ef)
    # measured on 200 hearts: volume -2.3 % (median), length -1.4 %, EF MAE 0.65, worst 2.8 points
    assert np.median(np.abs(vol_err)) < 0.035 and np.max(np.abs(vol_err)) < 0.07
    assert np.median(np.abs(len_err)) < 0.02 and np.max(np.abs(len_err)) < 0.04
    assert np.mean(np.abs(ef_err)) < 1.0 and np.max(np.abs(ef_err)) < 3.5
    assert abs(np.mean(ef_err)) < 0.5  # no systematic EF bias: the volume bias cancels in the ratio


def test_landmark_path_uses_landmark_zero_and_matches_the_tracings(traced):
    ef_err, len_err = [], []
    for filelist_ef, ed, es in traced:
        got = []
        for t in (ed, es):
            points = landmarks(t, "contour16")
            seg = Segmentation(mask_from_landmarks(points), points, np.ones(len(points)))
            m = measure(seg, "landmarks")
            assert m.ok
            apex, base = m.tracing.long_axis
            # the apex lies L/40 beyond landmark 0 on the axis: landmark 0 is the first chord's middle
            assert np.hypot(*(points[0] - apex)) == pytest.approx(m.length / 40)
            assert np.cross(base - apex, points[0] - apex) == pytest.approx(0, abs=1e-6)
            a0, b0 = t.long_axis
            len_err.append(m.length / np.hypot(*(b0 - a0)) - 1)
            got.append(m)
        ef_err.append(_ef(got[0].volume, got[1].volume) - filelist_ef)
    # measured on 200 hearts (contour16 spline masks): EF MAE 0.72, worst 2.6 points
    assert np.mean(np.abs(ef_err)) < 1.5 and np.max(np.abs(ef_err)) < 4.0
    assert np.median(np.abs(len_err)) < 0.015
    _, ed, _ = traced[0]
    points = landmarks(ed, "contour16")
    mask = mask_from_landmarks(points)
    moved = points.copy()
    moved[0] += (-3.0, 3.0)
    apex = measure_landmarks(mask, points).tracing.long_axis[0]
    assert measure_landmarks(mask, moved).tracing.long_axis[0] != pytest.approx(apex)


def test_cleaning_keeps_the_largest_component_and_fills_holes(traced):
    _, ed, _ = traced[0]
    official = tracing_mask(ed)
    assert outer_contour(official)[1] == official.sum()
    reference = measure_mask(official)
    noisy = official.copy()
    noisy[2:6, 2:6] = 1         # a speck elsewhere
    noisy[100:110, 5:30] = 1    # a second, smaller blob
    ys, xs = np.nonzero(official)
    cy, cx = int(ys.mean()), int(xs.mean())
    noisy[cy - 2:cy + 3, cx - 2:cx + 3] = 0  # a hole inside the cavity
    cleaned = measure_mask(noisy * 255)  # any nonzero value is LV
    assert cleaned.ok and cleaned.area == reference.area
    assert cleaned.volume == reference.volume and cleaned.length == reference.length
    assert measure_mask(official.astype(bool)).volume == reference.volume


def test_bad_masks_fail_cleanly():
    empty = measure_mask(np.zeros((112, 112), np.uint8))
    assert not empty.ok and empty.reason == volumes.EMPTY and np.isnan(empty.volume)
    tiny = np.zeros((112, 112), np.uint8)
    tiny[50:55, 50:55] = 1
    assert measure_mask(tiny).reason == volumes.TOO_SMALL and measure_mask(tiny).area == 25
    assert measure_mask(np.ones((3, 112, 112))).reason == volumes.BAD_INPUT
    assert measure(Segmentation(np.zeros((112, 112), np.uint8), ok=False), "landmarks").reason == \
        volumes.SEGMENTATION_FAILED
    full = np.ones((112, 112), np.uint8)
    assert measure(Segmentation(full), "landmarks").reason == volumes.NO_LANDMARKS
    nan_points = np.full((16, 2), np.nan)
    assert measure_landmarks(full, nan_points).reason == volumes.NO_LANDMARKS
    with pytest.raises(ValueError):
        measure(Segmentation(full), "heatmaps")


def test_random_masks_never_raise():
    rng = np.random.default_rng(3)
    reasons = {volumes.EMPTY, volumes.TOO_SMALL, volumes.NO_AXIS, volumes.CHORD_MISS}
    shapes = []
    for _ in range(40):
        shapes.append((rng.uniform(size=(112, 112)) < rng.uniform(0.001, 0.6)).astype(np.uint8))  # speckle
    for row in (0, 55, 111):
        line = np.zeros((112, 112), np.uint8)
        line[row, :] = 1
        shapes.append(line)  # a one-pixel line: no area
    shapes.append(np.eye(112, dtype=np.uint8) + np.eye(112, k=1, dtype=np.uint8))  # a diagonal sliver
    ring = np.zeros((112, 112), np.uint8)
    ring[20:90, 30:80] = 1
    ring[22:88, 32:78] = 0
    shapes.append(ring)  # the outline of a box: filled, it is a box
    shapes.append(np.ones((112, 112), np.uint8))
    for mask in shapes:
        m = measure_mask(mask)
        if m.ok:
            assert np.isfinite(m.volume) and m.volume > 0 and m.length >= volumes.MIN_LENGTH
        else:
            assert m.reason in reasons and np.isnan(m.volume)
    assert measure_mask(ring).area == 70 * 50
