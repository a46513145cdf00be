"""Anatomy label maps: the LV classes are exactly the official mask of the frame's tracing; what lies where."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lvseg.geometry.mask import tracing_mask
from lvseg.metrics.dice import dice
from lvseg.synth import labels as L
from lvseg.synth.plan import appearance, plan_video


@pytest.fixture(scope="module")
def plans():
    return [plan_video(11, i, max_frames=40) for i in range(6)]


def test_lv_classes_are_the_official_mask_at_every_frame(plans):
    for plan in plans:
        _, extras = appearance(plan)
        frames = sorted({plan.timing.ed_frame, plan.timing.es_frame, 0, plan.frames - 1, plan.frames // 2})
        for t in frames:
            labels = L.label_map(plan.anatomy(t), extras, (112, 112), 1)
            official = tracing_mask(plan.tracing(t)).astype(bool)
            np.testing.assert_array_equal(np.isin(labels, L.LV_CLASSES), official)


def test_finer_raster_agrees_with_the_official_mask(plans):
    """On the renderer's 2x raster the LV is the same polygon, filled with sub-pixel precision."""
    for plan in plans[:3]:
        _, extras = appearance(plan)
        t = plan.timing.es_frame
        fine = np.isin(L.label_map(plan.anatomy(t), extras, (224, 224), 2), L.LV_CLASSES)
        coarse = fine.reshape(112, 2, 112, 2).mean(axis=(1, 3)) >= 0.5
        assert dice(coarse, tracing_mask(plan.tracing(t))) > 0.97


def _zone_share(labels: np.ndarray, official: np.ndarray) -> tuple[float, float]:
    """(trabecular strands inside the tracing, the non-compacted layer outside it), pixels per LV pixel."""
    inside = ((labels == L.LV_TRABECULAE) & official).sum()
    outside = np.isin(labels, (L.LV_NONCOMPACT, L.LV_RECESS)).sum()
    return inside / official.sum(), outside / official.sum()


def test_the_tracing_follows_the_trabeculae_tips_with_the_non_compacted_layer_outside(plans):
    # real tracings sit where the grey rises: most of the trabecular zone lies outside them, deeper at ES
    grows = []
    for plan in plans:
        _, extras = appearance(plan, "heldout-walls")  # dense trabeculae, both papillary muscles
        assert extras.traced_share == 0.3
        layer = {}
        for phase, t in (("ED", plan.timing.ed_frame), ("ES", plan.timing.es_frame)):
            labels = L.label_map(plan.anatomy(t), extras, (112, 112), 1)
            official = tracing_mask(plan.tracing(t)).astype(bool)
            assert not (np.isin(labels, (L.LV_NONCOMPACT, L.LV_RECESS)) & official).any()
            assert (labels == L.LV_NONCOMPACT).any() and (labels == L.LV_RECESS).any()
            inside, layer[phase] = _zone_share(labels, official)
            assert 0.0 < inside < layer[phase]
        grows.append(layer["ES"] > layer["ED"])
    assert np.mean(grows) >= 0.8


def test_the_recesses_empty_in_systole(plans):
    # the same strands fill more of the layer at ES: blood between them is a smaller share than at ED,
    # shrinking about as the wall's area grows
    ratios, expected = [], []
    for plan in plans:
        _, extras = appearance(plan)
        shares = []
        for t in (plan.timing.ed_frame, plan.timing.es_frame):
            labels = L.label_map(plan.anatomy(t), extras, (112, 112), 1)
            layer = np.isin(labels, (L.LV_NONCOMPACT, L.LV_RECESS))
            shares.append((labels == L.LV_RECESS).sum() / layer.sum())
        ratios.append(shares[1] / shares[0])
        expected.append(plan.anatomy(plan.timing.es_frame).wall_growth ** -2)
    assert max(ratios) < 1.0
    assert abs(np.mean(ratios) - np.mean(expected)) < 0.15


def test_the_old_border_style_puts_every_trabecula_inside_the_tracing(plans):
    for plan in plans[:3]:
        _, extras = appearance(plan, "train-border-inside")
        assert extras.traced_share == 1.0
        t = plan.timing.es_frame
        labels = L.label_map(plan.anatomy(t), extras, (112, 112), 1)
        official = tracing_mask(plan.tracing(t)).astype(bool)
        inside, outside = _zone_share(labels, official)
        assert outside == 0.0 and inside > 0.05


def test_chambers_and_walls_are_where_an_apical_four_chamber_view_has_them(plans):
    for plan in plans:
        _, extras = appearance(plan)
        t = plan.timing.ed_frame
        labels = L.label_map(plan.anatomy(t), extras, (112, 112), 1)
        centre = {c: np.argwhere(labels == c).mean(axis=0) for c in (L.LV_BLOOD, L.RV_BLOOD, L.LA_BLOOD, L.RA_BLOOD,
                                                                      L.SEPTUM)}
        (lv_r, lv_c), (rv_r, rv_c), (la_r, la_c), (ra_r, ra_c) = (centre[c] for c in (L.LV_BLOOD, L.RV_BLOOD, L.LA_BLOOD,
                                                                             L.RA_BLOOD))
        assert rv_c < lv_c and la_r > lv_r and ra_r > rv_r and ra_c < la_c  # RV left, atria below
        assert rv_c < centre[L.SEPTUM][1] < lv_c  # the septum between the ventricles
        # the LV is wrapped in myocardium, septum, valve or the open base to the atrium
        lv = np.isin(labels, L.LV_CLASSES)
        ring = np.zeros_like(lv)
        ring[1:-1, 1:-1] = (lv[:-2, 1:-1] | lv[2:, 1:-1] | lv[1:-1, :-2] | lv[1:-1, 2:])[:, :] & ~lv[1:-1, 1:-1]
        around = labels[ring]
        assert np.isin(around, (L.LV_MYO, L.SEPTUM, L.MITRAL, L.ANNULUS, L.LA_BLOOD, L.LV_TRABECULAE, L.LV_NONCOMPACT,
                                L.LV_RECESS)).mean() > 0.97
        assert (labels == L.PERICARDIUM).sum() > 100 and (labels == L.MITRAL).any()


def test_the_mitral_leaflets_swing_toward_the_apex_as_the_valve_opens_and_the_hinges_stay(plans):
    plan = plans[0]
    _, extras = appearance(plan)
    frame = plan.anatomy(plan.timing.ed_frame)
    lv = frame.chambers["lv"]
    maps = {v: L.label_map(dataclasses.replace(frame, valve=v), extras, (112, 112), 1) for v in (0.0, 1.0)}
    rows, cols = np.mgrid[0:112, 0:112]
    along = (cols - lv.apex[0]) * lv.axis[0] + (rows - lv.apex[1]) * lv.axis[1]
    swung = (maps[1.0] == L.LV_TRABECULAE) & (maps[0.0] != L.LV_TRABECULAE)  # open leaflet tips inside the LV
    assert swung.sum() >= 5 and along[swung].mean() < lv.length - 2
    np.testing.assert_array_equal(maps[0.0] == L.ANNULUS, maps[1.0] == L.ANNULUS)
    assert (maps[0.0] == L.ANNULUS).sum() >= 2


