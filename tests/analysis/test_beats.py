"""Beats and EF on constructed volume curves with known ED/ES frames and EF."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import find_peaks, savgol_filter

from lvseg.analysis import beats as B
from lvseg.analysis.beat_config import BeatConfig, Tally, quality_flags
from lvseg.analysis.beats import BeatTracker
from lvseg.analysis.quality import EFSpread
from lvseg.analysis.video import analyse_curve
from lvseg.synth.anatomy import cycle

SYSTOLE = 0.35  # fraction of the cycle from ED to ES


def curve(fps, bpm, start, end, ef=60.0, edv=100.0, noise=0.0, seed=0):
    """Volumes from cycle phase ``start`` to ``end`` (phase k = the k-th ED), and the frames per cycle."""
    period = fps * 60.0 / bpm
    n = int(round((end - start) * period)) + 1
    phase = start + np.arange(n) / period
    v = edv * (1 - ef / 100) + edv * ef / 100 * cycle(phase, SYSTOLE)
    return v + np.random.default_rng(seed).normal(0.0, noise * edv, n), period


def expected(start, period, n):
    """(ED frame, ES frame) of every systole wholly inside the clip."""
    out = []
    for k in range(int(np.ceil(start)), int(np.ceil(start + n / period)) + 1):
        ed, es = (k - start) * period, (k + SYSTOLE - start) * period
        if ed >= 0 and es <= n - 1:
            out.append((ed, es))
    return out


def sampled_ef(v, ed, es, period):
    """EF between the sampled curve's extrema nearest to the ideal ED and ES times."""
    near = lambda t: np.arange(max(0, int(t - period / 8)), min(len(v), int(t + period / 8) + 1))
    return (v[near(ed)].max() - v[near(es)].min()) / v[near(ed)].max() * 100


def check_beats(found, want, v=None, period=None, frames=1.0, ef_tol=0.3):
    """Beats at the wanted ED/ES times (within ``frames``), with the sampled curve's EF (60 % if v is None)."""
    assert len(found) == len(want), ([(b.ed_frame, b.es_frame) for b in found], want)
    for beat, (ed, es) in zip(found, want):
        assert abs(beat.ed_frame - ed) <= frames and abs(beat.es_frame - es) <= frames
        ef = 60.0 if v is None else sampled_ef(v, ed, es, period)
        assert beat.ef == pytest.approx(ef, abs=ef_tol)


@pytest.mark.parametrize("fps,bpm", [(18, 45), (18, 75), (30, 100), (50, 40), (50, 75), (50, 150), (80, 180),
                                     (138, 60), (138, 120)])
def test_steady_cycles(fps, bpm):
    v, period = curve(fps, bpm, start=0.6, end=3.7)  # starts in diastasis, ends mid-filling
    a = analyse_curve(v, fps)
    want = expected(0.6, period, len(v))
    assert len(want) == 3
    # smoothing may move an asymmetric extremum by a frame, and a beat's volume averages the frames next to
    # it that the curve's noise cannot tell from it (on these plateau-less curves at 180 bpm, curvature passes
    # for noise): EF within a point of the sampled extrema's
    check_beats(a.beats, want, v, period, ef_tol=1.0)
    assert a.ef == pytest.approx(np.median([b.ef for b in a.beats])) and a.flags == ()


def test_noisy_curve():
    v, period = curve(50, 75, start=0.6, end=4.7, noise=0.01, seed=1)
    a = analyse_curve(v, 50)
    check_beats(a.beats, expected(0.6, period, len(v)), frames=2, ef_tol=2.5)  # 60 %: the noise-free EF
    assert a.ef == pytest.approx(60, abs=1.5)


def test_short_gaps_are_bridged_long_ones_split_the_curve():
    v, period = curve(50, 75, start=0.6, end=3.7)
    want = expected(0.6, period, len(v))
    gappy = v.copy()
    ed = int(round(want[1][0]))
    gappy[ed - 1:ed + 2] = np.nan  # 3 failed frames across an ED: bridged (max gap 5 frames at 50 fps)
    gappy[100:102] = np.nan
    a = analyse_curve(gappy, 50)
    # the ED itself is interpolated over 4 frames: its EDV loses the peak's curvature, ~1.2 EF points
    check_beats(a.beats, want, ef_tol=1.5)
    assert a.flags == () and np.isfinite(a.filled).all()
    long_gap = v.copy()
    cut = slice(int(want[1][0]) - 5, int(want[1][0]) + 30)  # 0.7 s around the second ED
    long_gap[cut] = np.nan
    b = analyse_curve(long_gap, 50)
    assert B.LONG_GAP in b.flags and B.FAILED_FRAMES in b.flags
    assert np.isnan(b.smoothed[cut]).all()
    check_beats(b.beats, [want[0], want[2]])


def test_clip_edges():
    v, period = curve(50, 75, start=0.0, end=2.7)  # starts at ED
    a = analyse_curve(v, 50)
    assert a.beats[0].ed_frame == 0
    check_beats(a.beats, expected(0.0, period, len(v)))
    v, period = curve(50, 75, start=0.4 * SYSTOLE, end=2.7)  # starts 40 % into a systole: not a beat
    check_beats(analyse_curve(v, 50).beats, expected(0.4 * SYSTOLE, period, len(v)))
    v, period = curve(50, 75, start=0.6, end=2 + SYSTOLE)  # ends at an ES
    a = analyse_curve(v, 50)
    assert a.beats[-1].es_frame == len(v) - 1
    check_beats(a.beats, expected(0.6, period, len(v)))
    v, period = curve(50, 75, start=0.6, end=2 + 0.4 * SYSTOLE)  # ends 40 % into a systole: not a beat
    check_beats(analyse_curve(v, 50).beats, expected(0.6, period, len(v)))


def test_single_systole_clip():
    v, period = curve(50, 60, start=0.8, end=0.8 + 63 / 50)  # 64 frames, one systole
    a = analyse_curve(v, 50)
    check_beats(a.beats, expected(0.8, period, len(v)))
    assert a.flags == (B.SINGLE_BEAT,) and a.ef == pytest.approx(60, abs=0.6)


def test_no_beat_means_no_ef():
    flat = analyse_curve(np.full(150, 80.0), 50)
    assert flat.ef is None and flat.beats == () and flat.flags == (B.FLAT, B.NO_BEAT)
    failed = analyse_curve(np.full(150, np.nan), 50)
    assert failed.ef is None and failed.flags == (B.ALL_FAILED, B.NO_BEAT)
    assert analyse_curve(np.array([]), 50).flags == (B.NO_FRAMES, B.NO_BEAT)
    v, _ = curve(50, 75, start=0.6, end=3.7, ef=4.0)  # swings of 4 % of EDV are not beats
    assert analyse_curve(v, 50).ef is None
    with pytest.raises(ValueError):
        BeatTracker(0.0)


def test_the_ef_spread_is_a_standard_deviation_so_a_long_clip_is_not_flagged_for_its_length():
    # sixteen good beats whose EFs scatter by 4.5 points, as a segmentation's per-beat noise does: their range
    # (16 points) passes the 15 that three beats rarely reach, their standard deviation stays where it is
    efs = [55.0 + 4.5 * z for z in (-1.8, 1.6, -0.4, 0.9, 0.1, -1.0, 1.2, -0.6, 0.3, -0.2, 0.7, -1.3, 1.9, 0.0, -0.5, 0.5)]
    spread = EFSpread()
    assert spread.sd == 0.0
    for ef in efs:
        spread.add(ef)
    assert spread.count == 16 and spread.sd == pytest.approx(np.std(efs, ddof=1)) and np.ptp(efs) > 15

    def flags(sd: float, beats: int) -> tuple[str, ...]:
        return quality_flags(BeatConfig(), Tally(800, 0, 0, 2 * beats, beats, False, 0, sd, 1.0))

    assert B.ERRATIC not in flags(spread.sd, 16)
    two = EFSpread()
    for ef in (40.0, 70.0):  # two beats 30 points apart: no rhythm and no jitter of 1 % explains that
        two.add(ef)
    assert two.sd == pytest.approx(30 / np.sqrt(2)) and B.ERRATIC in flags(two.sd, 2)
    # a jittery curve's beats may spread further: jitter_spread times its jitter, here 3 %
    assert B.ERRATIC not in quality_flags(BeatConfig(), Tally(800, 0, 0, 4, 2, False, 0, 12.0, 3.0))


def test_erratic_curves_are_flagged():
    a, _ = curve(50, 75, start=0.6, end=1.7, ef=40.0)
    b, _ = curve(50, 75, start=0.7, end=1.7, ef=70.0)
    mixed = analyse_curve(np.concatenate([a, b * a[-1] / b[0]]), 50)
    assert len(mixed.beats) == 2 and B.ERRATIC in mixed.flags
    v, period = curve(50, 75, start=0.6, end=3.7)
    want = expected(0.6, period, len(v))
    at = int(round(want[0][1] + 0.4 * period))  # in diastasis
    wobble, glitch = v.copy(), v.copy()
    wobble[at:at + 3] *= 0.9  # a dip of 10 % of EDV: under 30 % of the beat's swing, not a turning point
    glitch[at:at + 3] *= 0.5  # a deep 3-frame dip: a 'systole' of 0.04 s, rejected
    clean = analyse_curve(wobble, 50)
    check_beats(clean.beats, want, v, period, ef_tol=0.5)
    assert clean.flags == ()
    once = analyse_curve(glitch, 50)  # one glitch is rejected; alone it does not make the curve erratic
    check_beats(once.beats, want, v, period, ef_tol=0.5)
    assert once.flags == ()
    later = int(round(want[1][1] + 0.4 * period))
    glitch[later:later + 3] *= 0.5  # the same again a cycle later: it recurs, the curve is erratic
    twice = analyse_curve(glitch, 50)
    check_beats(twice.beats, want, v, period, ef_tol=0.5)
    assert B.ERRATIC in twice.flags


def knots(points):
    """A piecewise-linear volume curve through (frame, volume) points, one value per frame."""
    frames, values = np.array(points, dtype=np.float64).T
    return np.interp(np.arange(frames[-1] + 1), frames, values)


def test_a_wobble_before_the_first_beat_is_a_notch_not_a_beat():
    # a 7 % dip in diastasis (ED' 4, ES' 10) 0.24 s before the real ED (16): far under half the stroke, no beat,
    # and a notch is no reason to call the curve erratic
    v = knots([(0, 88), (4, 90), (10, 84), (16, 100), (33, 40), (45, 80), (60, 85), (66, 100), (83, 40), (95, 80),
               (110, 86)])
    a = analyse_curve(v, 50)
    assert [(b.ed_frame, b.es_frame) for b in a.beats] == [(16, 33), (66, 83)]
    assert a.ef == pytest.approx(60, abs=0.5) and a.flags == ()
    # 0.32 s before the ED, the same: the old tracker made it a beat of its own
    v = knots([(0, 88), (2, 90), (9, 84), (18, 100), (35, 40), (50, 82), (60, 85)])
    a = analyse_curve(v, 50)
    assert [(b.ed_frame, b.es_frame) for b in a.beats] == [(18, 35)]
    assert a.ef == pytest.approx(60, abs=0.5)


def test_smoothing_is_savgol_interp():
    v = np.random.default_rng(2).uniform(50, 100, 200)
    tracker = BeatTracker(50)
    np.testing.assert_allclose(analyse_curve(v, 50).smoothed, savgol_filter(v, tracker.window, 3, mode="interp"),
                               rtol=1e-12)


def test_interior_extrema_are_scipy_find_peaks():
    v, period = curve(50, 75, start=0.6, end=8.7, noise=0.004, seed=3)
    a = analyse_curve(v, 50)
    prominence = B.BeatConfig().min_swing * np.nanmax(a.smoothed)
    peaks, _ = find_peaks(a.smoothed, prominence=prominence)
    troughs, _ = find_peaks(-a.smoothed, prominence=prominence)
    assert [b.ed_frame for b in a.beats] == list(peaks)
    assert [b.es_frame for b in a.beats] == list(troughs)


@pytest.mark.parametrize("fps,bpm,start", [(50, 45, 0.25), (72, 60, 0.15), (48, 55, 0.3)])
def test_a_clip_without_a_whole_systole_takes_ef_from_its_ed_and_es(fps, bpm, start):
    """Starts inside one systole and ends inside the next (as EchoNet clips whose traced ES precedes their
    traced ED often do): no beat, but the EF of the confirmed ED and ES, flagged partial_beats."""
    v, period = curve(fps, bpm, start=start, end=1.2)
    assert expected(start, period, len(v)) == []  # no systole wholly inside
    a = analyse_curve(v, fps)
    assert a.beats == () and "partial_beats" in a.flags and "no_beat" not in a.flags
    assert a.ef == pytest.approx(60.0, abs=1.0)


def test_a_clip_of_one_falling_half_systole_has_no_ef():
    v, period = curve(50, 60, start=0.05, end=0.3)  # ED before the clip, ES after it
    a = analyse_curve(v, 50)
    assert a.ef is None and "no_beat" in a.flags


def test_a_clip_from_es_to_ed_takes_ef_from_both():
    """A short slow clip that starts at an ES and ends on the rise to the next ED: no whole systole, the EF of
    its smallest and largest volumes, flagged partial_beats."""
    v, period = curve(95, 45, start=SYSTOLE - 0.02, end=0.995)
    a = analyse_curve(v, 95)
    assert a.beats == () and "partial_beats" in a.flags
    assert a.ef == pytest.approx((v.max() - v.min()) / v.max() * 100, abs=0.5)
