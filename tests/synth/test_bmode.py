"""Physics sanity of the B-mode simulation: speckle statistics, specular angle dependence, shadows, beam width."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lvseg.synth import bmode
from lvseg.synth import labels as L
from lvseg.synth.style import STYLES, draw_look

RASTER = (224, 224)


def plain_look(**changes):
    """A B-mode look without texture, clutter, noise, attenuation or TGC ripple."""
    look = draw_look(np.random.default_rng(0), STYLES["bmode"], apex=(55.5, -2.0))
    plain = dict(haze=0.0, heterogeneity=0.0, cavity_haze=0.0, noise=1e-9, rib=False, attenuation_db=0.0,
                 tgc_knots_db=(0.0,) * 6, sidelobe=0.0, dropout=(0.0, 0.0, 0.0, 0.0, 1.0))
    return dataclasses.replace(look, **{**plain, **changes})


def envelope(look, labels: np.ndarray, frame: int = 0) -> tuple[bmode.Probe, np.ndarray]:
    probe = bmode.make_probe(look, 2, 2, np.random.default_rng(1))
    return probe, bmode.simulate(probe, labels, frame, np.random.default_rng(2), compress=False)


def test_fully_developed_speckle_has_the_rayleigh_snr_and_unit_rms():
    """Uniform tissue, one scatterer per sample: envelope mean / std = sqrt(pi / (4 - pi)) = 1.91 before compression."""
    probe, env = envelope(plain_look(), np.full(RASTER, L.LV_MYO, np.uint8))
    s, b = probe.shape
    core = env[s // 3: 2 * s // 3, b // 4: 3 * b // 4]  # away from the grid's zero-padded borders
    assert core.mean() / core.std() == pytest.approx(np.sqrt(np.pi / (4 - np.pi)), rel=0.06)
    assert np.sqrt(np.mean(core**2)) == pytest.approx(1.0, rel=0.1)  # the PSF keeps the rms amplitude


def test_sparse_scatterers_give_spottier_speckle():
    probe, env = envelope(plain_look(), np.full(RASTER, L.LV_TRABECULAE, np.uint8))  # 15 % of samples
    s, b = probe.shape
    core = env[s // 3: 2 * s // 3, b // 4: 3 * b // 4]
    assert core.mean() / core.std() < 1.6


def test_specular_echo_falls_with_the_angle_between_beam_and_wall_normal():
    apex, point = (111.5, -4.0), np.array([111.5, 180.0])  # the beam through ``point`` runs straight down
    y, x = np.mgrid[0:RASTER[0], 0:RASTER[1]].astype(float)
    impedance = np.zeros(len(L.CLASSES), np.float32)
    impedance[L.LV_MYO] = 1.0
    peaks = []
    for degrees in (0, 20, 40, 60, 80):  # tilt of the wall away from facing the beam
        a = np.radians(degrees)
        below = (x - point[0]) * np.sin(a) - (y - point[1]) * np.cos(a) < 0
        labels = np.where(below, L.LV_MYO, L.LV_BLOOD).astype(np.uint8)
        spec = bmode.specular_map(labels, impedance, apex, sigma=1.2, power=2.0)
        near = np.hypot(x - point[0], y - point[1]) < 6
        peaks.append(spec[near].max())
    assert peaks[0] == pytest.approx(1.0, abs=0.2)  # a unit impedance step facing the beam reflects ~1
    assert all(a > b for a, b in zip(peaks, peaks[1:]))
    assert peaks[-1] < 0.1 * peaks[0]  # a wall along the beam drops out


def test_air_casts_a_shadow_along_its_beams():
    look = plain_look()
    labels = np.full(RASTER, L.LV_MYO, np.uint8)
    labels[60:80, 100:130] = L.LUNG  # a block of air on the central beams, at depth ~30-40 px
    probe, env = envelope(look, labels)
    probe_clear, env_clear = envelope(look, np.full(RASTER, L.LV_MYO, np.uint8))
    s, b = probe.shape
    deep = slice(int(0.6 * s), int(0.8 * s))
    centre, side = slice(b // 2 - 3, b // 2 + 3), slice(b // 5, b // 5 + 6)
    assert env[deep, centre].mean() < 0.05 * env_clear[deep, centre].mean()  # dark beneath the air
    assert env[deep, side].mean() == pytest.approx(env_clear[deep, side].mean(), rel=0.15)  # other beams unharmed


def test_the_beam_is_narrowest_near_its_focus():
    look = plain_look(focus=0.5, divergence=1.0)
    probe = bmode.make_probe(look, 1, 2, np.random.default_rng(0))
    sigma_beams = bmode.BAND0 * 2.0 ** (probe.band_lo + probe.band_w)
    width = sigma_beams * probe.r * (probe.theta[1] - probe.theta[0])
    valid = np.nonzero(probe.band_lo + probe.band_w < bmode.BANDS - 1.01)[0]  # rows not clipped at the widest band
    narrowest = probe.r[valid][np.argmin(width[valid])]
    assert abs(narrowest - 0.5 * look.radius) < 0.15 * look.radius
    assert width[-1] > 1.2 * width[valid].min()


def test_near_field_clutter_hazes_a_cavity_below_the_apex():
    cavity = np.full(RASTER, L.LV_BLOOD, np.uint8)
    probe, clean = envelope(plain_look(), cavity)
    _, hazy = envelope(plain_look(haze=0.5, haze_depth=0.2), cavity)
    near, far = slice(2, probe.shape[0] // 6), slice(-probe.shape[0] // 4, None)
    assert hazy[near].mean() > 2.5 * clean[near].mean()
    assert hazy[far].mean() < 1.3 * clean[far].mean()
