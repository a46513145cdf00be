"""Beats by the cardiac cycle on physiological curves (tests/analysis/cardiac.py): notches, kicks, AF-like RR,
an ectopic beat, low EF, jitter and failed frames; and the cycle window's levels and falls."""

from __future__ import annotations

import numpy as np
import pytest

from lvseg.analysis import beats as B
from lvseg.analysis.beat_config import BeatConfig
from lvseg.analysis.cycle import CycleWindow, percentile
from lvseg.analysis.premature import HiddenBeats
from lvseg.analysis.quality import ECTOPIC, Beat, median_ef
from lvseg.analysis.smoothing import Sample
from lvseg.analysis.video import analyse_curve
from tests.analysis.cardiac import Heart, Noise, cardiac_clip, noisy


def check(clip, found, frames=2, ef_tol=2.0):
    """The found beats are the clip's true whole beats: same count, ED/ES within ``frames`` (or 0.025 s, at a
    high frame rate: the isovolumic plateau the true frame is the middle of lasts 0.02-0.1 s), EF within ef_tol."""
    frames = max(frames, round(0.025 * clip.fps))
    got = [(b.ed_frame, b.es_frame) for b in found.beats]
    want = [(b.ed_frame, b.es_frame) for b in clip.beats]
    assert len(got) == len(want), (got, want)
    for b, t in zip(found.beats, clip.beats):
        assert abs(b.ed_frame - t.ed_frame) <= frames and abs(b.es_frame - t.es_frame) <= frames, (got, want)
    assert found.ef == pytest.approx(clip.ef, abs=ef_tol)


@pytest.mark.parametrize("bpm,fps,notch", [(42, 50, 0.08), (48, 30, 0.06), (70, 50, 0.04), (95, 112, 0.03),
                                           (125, 50, 0.0), (150, 60, 0.0), (60, 138, 0.05)])
def test_sinus_rhythm_with_notches_and_kick(bpm, fps, notch):
    rng = np.random.default_rng(bpm + fps)
    clip = cardiac_clip(rng, Heart(bpm=bpm, notch=notch, kick=0.25), fps, int(fps * 5))
    found = analyse_curve(clip.volumes, fps)
    check(clip, found, ef_tol=1.0)
    assert B.ERRATIC not in found.flags


def test_a_plateau_wobble_between_beats_is_not_a_beat():
    # a long diastasis with a large double notch (10 % of the stroke): one ED and one ES per cycle
    clip = cardiac_clip(np.random.default_rng(5), Heart(bpm=40, notch=0.1, kick=0.2), 50, 300)
    found = analyse_curve(clip.volumes, 50)
    check(clip, found, ef_tol=1.0)
    assert found.flags == ()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_af_like_rhythm(seed):
    clip = cardiac_clip(np.random.default_rng(seed), Heart(bpm=90, rhythm="afib", rr_cv=0.25), 50, 300)
    rr = np.diff([b.ed_frame for b in clip.beats])
    assert rr.std() / rr.mean() > 0.12  # irregular indeed
    found = analyse_curve(clip.volumes, 50)
    check(clip, found)
    assert B.ERRATIC not in found.flags


def test_an_ectopic_beat_is_a_beat_but_not_in_the_ef():
    clip = cardiac_clip(np.random.default_rng(4), Heart(bpm=70, rhythm="ectopic", ectopic_at=0.45), 50, 300)
    ectopic = [b for b in clip.beats if b.ectopic]
    assert len(ectopic) == 1 and ectopic[0].ef < 40
    found = analyse_curve(clip.volumes, 50)
    got = [(b.ed_frame, b.es_frame) for b in found.beats]
    assert len(got) == len(clip.beats), (got, [(b.ed_frame, b.es_frame) for b in clip.beats])
    premature = found.beats[clip.beats.index(ectopic[0])]
    assert abs(premature.ed_frame - ectopic[0].ed_frame) <= 3 and not premature.good
    normal = np.median([b.ef for b in clip.beats if not b.ectopic])
    assert found.ef == pytest.approx(normal, abs=1.5)  # the median of the good beats
    assert B.ERRATIC not in found.flags


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_ectopic_beat_in_the_first_interval_is_found_and_the_beat_after_it_kept(seed):
    # the run's first ED-ED interval holds the pause; its only reference is the second interval, and the
    # normal beat after the pause must still come out (a bug once lost it, or never looked)
    clip = cardiac_clip(np.random.default_rng(seed), Heart(bpm=70, rhythm="ectopic", ectopic_at=0.2), 50, 300)
    assert clip.beats[1].ectopic
    found = analyse_curve(clip.volumes, 50)
    check(clip, found, ef_tol=1.0)
    assert [b.good for b in found.beats[:3]] == [True, False, True]


def test_an_ed_a_frame_after_the_clip_starts_inside_a_systole_is_not_a_beat():
    clip = cardiac_clip(np.random.default_rng(3), Heart(bpm=70, rr_cv=0.0), 50, 300)
    first = clip.beats[1].ed_frame + 4  # four frames into the ejection: the clip starts inside a systole
    volumes = clip.volumes[first:].copy()
    volumes[0] = volumes[1] - 0.5  # a rise over the first frame, as jitter makes: the maximum is frame 1
    found = analyse_curve(volumes, 50)
    want = [(b.ed_frame - first, b.es_frame - first) for b in clip.beats if b.ed_frame > first]
    got = [(b.ed_frame, b.es_frame) for b in found.beats]
    assert len(got) == len(want) and np.abs(np.subtract(got, want)).max() <= 2, (got, want)


def test_a_two_beat_clip_finds_the_premature_beat_in_its_pause():
    # a clip of the beat before an extrasystole, the extrasystole and the beat after its pause: the run's only
    # ED-ED interval has no second one to be judged by, so its systoles set the cycle (systole_cycle)
    clip = cardiac_clip(np.random.default_rng(4), Heart(bpm=70, rhythm="ectopic", ectopic_at=0.45), 50, 300)
    k = next(i for i, b in enumerate(clip.beats) if b.ectopic)
    first, last = clip.beats[k - 1].ed_frame - 5, clip.beats[k + 1].es_frame + 10
    found = analyse_curve(clip.volumes[first:last], 50)
    want = [(b.ed_frame - first, b.es_frame - first) for b in clip.beats[k - 1:k + 2]]
    got = [(b.ed_frame, b.es_frame) for b in found.beats]
    assert len(got) == 3 and np.abs(np.subtract(got, want)).max() <= 2, (got, want)
    assert [b.good for b in found.beats] == [True, False, True] and ECTOPIC in found.beats[1].reasons


def test_a_premature_beat_drawn_higher_than_the_next_ed_is_found_and_the_next_beat_kept():
    # masks can draw an extrasystole's top above the next ED (seen on model curves of held-out physiology):
    # the turning points' running maximum then holds it as the next beat's ED, a whole pause before its ES.
    # That systole is too long to be one; its ED belongs within max_systole_s of the ES, and the pause before
    # it holds the premature beat (once, both were lost and the next beat was called the ectopic one)
    clip = cardiac_clip(np.random.default_rng(4), Heart(bpm=70, rhythm="ectopic", ectopic_at=0.45), 50, 300)
    k = next(i for i, b in enumerate(clip.beats) if b.ectopic)
    premature, after = clip.beats[k], clip.beats[k + 1]
    t = np.arange(len(clip.volumes))
    lift = clip.volumes[after.ed_frame] - clip.volumes[premature.ed_frame] + 3.0  # 3 mL above the next ED
    volumes = clip.volumes + lift * np.exp(-0.5 * ((t - premature.ed_frame) / 8.0) ** 2)
    assert volumes[premature.ed_frame] > volumes[after.ed_frame] + 2
    found = analyse_curve(volumes, 50)
    got = [(b.ed_frame, b.es_frame) for b in found.beats]
    want = [(b.ed_frame, b.es_frame) for b in clip.beats]
    assert len(got) == len(want) and np.abs(np.subtract(got, want)).max() <= 2, (got, want)
    assert [ECTOPIC in b.reasons for b in found.beats] == [b.ectopic for b in clip.beats]
    assert B.ERRATIC not in found.flags


def test_a_clip_that_starts_with_a_premature_beat_finds_it_before_the_pause():
    # the clip starts in the short refill before an extrasystole: no beat before it to measure a pause from,
    # but the first ED after the pause comes head_fraction of a cycle (the next ED-ED interval) after the start
    clip = cardiac_clip(np.random.default_rng(4), Heart(bpm=70, rhythm="ectopic", ectopic_at=0.45), 50, 300)
    k = next(i for i, b in enumerate(clip.beats) if b.ectopic)
    first = clip.beats[k].ed_frame - 10  # in the short refill before the extrasystole
    found = analyse_curve(clip.volumes[first:], 50)
    want = [(b.ed_frame - first, b.es_frame - first) for b in clip.beats[k:]]
    got = [(b.ed_frame, b.es_frame) for b in found.beats]
    assert len(got) == len(want) and np.abs(np.subtract(got, want)).max() <= 2, (got, want)
    assert ECTOPIC in found.beats[0].reasons and all(b.good for b in found.beats[1:])
    # without the extrasystole (the clip starts after it) nothing is made up before the first beat
    later = analyse_curve(clip.volumes[clip.beats[k].es_frame + 5:], 50)
    assert [b.good for b in later.beats] == [True] * len(later.beats)


@pytest.mark.parametrize("cycles", [1.3, 1.45])
def test_a_clip_that_ends_in_the_pause_after_a_premature_beat_finds_it(cycles):
    # the clip ends inside the extrasystole's compensatory pause, 1.3 or 1.45 cycles after the last normal ED:
    # short of a whole pause (pause_fraction), but no ED came where the next one was due
    clip = cardiac_clip(np.random.default_rng(4), Heart(bpm=70, rhythm="ectopic", ectopic_at=0.45), 50, 300)
    k = next(i for i, b in enumerate(clip.beats) if b.ectopic)
    last = clip.beats[k - 1].ed_frame + int(cycles * 50 * 60 / 70)
    assert last > clip.beats[k].es_frame + 10 and last < clip.beats[k + 1].ed_frame
    found = analyse_curve(clip.volumes[:last], 50)
    got = [(b.ed_frame, b.es_frame) for b in found.beats]
    want = [(b.ed_frame, b.es_frame) for b in clip.beats[:k + 1]]
    assert len(got) == len(want) and np.abs(np.subtract(got, want)).max() <= 2, (got, want)
    assert ECTOPIC in found.beats[-1].reasons and all(b.good for b in found.beats[:-1])
    # the same clip ending before the extrasystole's refill: no premature beat is made up
    early = analyse_curve(clip.volumes[:clip.beats[k].ed_frame + 2], 50)
    assert all(b.good for b in early.beats)
    # nor in a regular rhythm whose clip ends a little after the next ED was due (a late beat, not a pause)
    regular = cardiac_clip(np.random.default_rng(4), Heart(bpm=70), 50, 300)
    cut = analyse_curve(regular.volumes[:regular.beats[2].ed_frame + 3], 50)
    assert len(cut.beats) == 2 and all(b.good for b in cut.beats)


@pytest.mark.parametrize("noise,found", [(0.5, True), (4.0, False)])
def test_a_dip_where_a_clip_ends_is_a_premature_beat_only_above_the_curves_noise(noise, found):
    # beats every 60 frames (ED 100, ES 70) at 50 fps; after the last ED (190) the clip ends 1.4 cycles later with
    # a dip of 10 (a third of the stroke) and its refill in between. The smoothed curve is the clean one; the
    # frames around it carry the noise. With no pause to vouch for it, the dip is a premature beat when it stands
    # out of the frame-to-frame noise (end_noise), not when 3 noise sigmas are larger than it
    points = []
    for ed in (10, 70, 130, 190):
        points += [(ed, 100), (ed + 20, 70), (ed + 35, 98)]
    points += [(225, 98), (232, 100), (240, 90), (248, 100), (273, 100)]
    frames, values = np.array(points, dtype=np.float64).T
    clean = np.interp(np.arange(274), frames, values)
    window = CycleWindow(150)
    for t, (s, v) in enumerate(zip(clean, clean + np.random.default_rng(0).normal(0, noise, 274))):
        window.add(Sample(t, float(s), float(v)))
    hidden = HiddenBeats(BeatConfig(), 50.0, window)
    last = Beat(190, 210, 100.0, 70.0)
    fall = hidden.in_pause(last, 273, 60.0, at_end=True)
    assert (fall is not None) == found and (fall is None or (fall.top.frame, fall.bottom.frame) == (232, 240))
    assert hidden.in_pause(last, 273, 60.0) is None  # 1.4 cycles: not a whole pause (pause_fraction)
    assert hidden.in_pause(last, 273, 60.0 * 1.4 / BeatConfig().end_fraction + 1, at_end=True) is None  # too short


def test_a_clip_that_ends_inside_a_systole_after_a_long_stretch_has_no_premature_beat_there():
    # four beats every 70 frames, then an AF-like long RR (95 frames) whose ejection the clip cuts 19 frames
    # in: the stretch from the last ED to the clip's end is as long as a pause and holds a deep fall, but
    # nothing refills after it, so it is the cut systole, not a premature beat
    points = []
    for ed in (10, 80, 150, 220):
        points += [(ed, 100), (ed + 25, 40), (ed + 40, 85)]
    points += [(315, 100), (334, 100 - 60 * 19 / 25)]
    frames, values = np.array(points, dtype=np.float64).T
    found = analyse_curve(np.interp(np.arange(335), frames, values), 50)
    got = [(b.ed_frame, b.es_frame) for b in found.beats]
    assert len(got) == 4 and np.abs(np.subtract(got, [(10, 35), (80, 105), (150, 175), (220, 245)])).max() <= 1, got
    assert all(b.good for b in found.beats) and found.ef == pytest.approx(60, abs=0.5)


def test_a_deep_notch_that_splits_one_cycle_in_two_is_not_a_beat():
    # beats every 60 frames (ED 100, ES 40 after 18 frames); in the fourth diastasis the curve dips from 95 to
    # 64 and refills: a fall and a rise of over half the stroke scale, so a turning pair with EDs 30 frames
    # apart (not too close for two beats), but its stroke is small and the EDs around it are one cycle apart
    points = []
    for ed in range(10, 370, 60):
        points += [(ed, 100), (ed + 18, 40), (ed + 30, 85 if ed != 190 else 95)]
        if ed == 190:
            points += [(ed + 44, 64), (ed + 58, 95)]
    points += [(370, 100), (388, 40), (400, 85)]
    frames, values = np.array(points, dtype=np.float64).T
    found = analyse_curve(np.interp(np.arange(401), frames, values), 50)
    got = [(b.ed_frame, b.es_frame) for b in found.beats]
    want = [(ed, ed + 18) for ed in range(10, 371, 60)]
    assert len(got) == len(want) and np.abs(np.subtract(got, want)).max() <= 1, got
    assert found.ef == pytest.approx(60, abs=0.5) and found.flags == ()


def test_beat_volumes_average_out_jitter_that_picking_the_extremum_frame_would_keep():
    # the ED (ES) frame is where jitter pushed the curve highest (lowest): its own volume overstates the stroke,
    # most at low EF; averaging its neighbours on the isovolumic plateau (level_noise) removes most of that
    def errors(config):
        out = []
        for seed in range(12):
            rng = np.random.default_rng(seed)
            clip = cardiac_clip(rng, Heart(bpm=75, ef=20.0), 50, 250)
            found = analyse_curve(noisy(rng, clip.volumes, Noise(jitter=0.04, flicker_rate=0.0, failed_rate=0.0)),
                                  50, config)
            assert len(found.beats) == len(clip.beats)
            out += [b.ef - t.ef for b, t in zip(found.beats, clip.beats)]
        return np.array(out)

    averaged, single = errors(B.BeatConfig()), errors(B.BeatConfig(level_noise=0.0))
    assert abs(averaged.mean()) < 1.5 < 3.0 < single.mean()
    assert np.abs(averaged).mean() < 0.6 * np.abs(single).mean()


def test_a_three_frame_smoothing_window_still_smooths():
    # under 35 fps the window is 3 frames: a line through them averages, a quadratic would return them unchanged
    rng = np.random.default_rng(1)
    clip = cardiac_clip(rng, Heart(bpm=70), 25, 125)
    volumes = noisy(rng, clip.volumes, Noise(jitter=0.03, flicker_rate=0.0, failed_rate=0.0))
    found = analyse_curve(volumes, 25)
    assert B.BeatTracker(25).window == 3
    residual = np.abs(found.smoothed - volumes)[1:-1]
    assert residual.mean() > 0.01 * volumes.mean()


@pytest.mark.parametrize("ef", [12.0, 25.0])
def test_low_ef(ef):
    clip = cardiac_clip(np.random.default_rng(int(ef)), Heart(bpm=80, ef=ef), 50, 250)
    found = analyse_curve(clip.volumes, 50)
    check(clip, found, ef_tol=1.0)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_jitter_flicker_and_failed_frames(seed):
    rng = np.random.default_rng(seed)
    clip = cardiac_clip(rng, Heart(bpm=72), 50, 250)
    volumes = noisy(rng, clip.volumes, Noise(jitter=0.03))
    assert np.isnan(volumes).any()
    found = analyse_curve(volumes, 50)
    check(clip, found, frames=3, ef_tol=4.0)  # jitter moves an extremum within its flat isovolumic phase
    assert B.ERRATIC not in found.flags


def test_stream_equals_batch_on_an_irregular_noisy_curve():
    rng = np.random.default_rng(9)
    clip = cardiac_clip(rng, Heart(bpm=80, rhythm="ectopic"), 50, 400)
    volumes = noisy(rng, clip.volumes, Noise(jitter=0.04))
    tracker, streamed = B.BeatTracker(50), []
    for v in volumes:
        streamed.extend(tracker.push(v).beats)
    streamed.extend(tracker.finish().beats)
    batch = analyse_curve(volumes, 50)
    assert tuple(streamed) == batch.beats and tracker.flags() == batch.flags
    assert [b.ed_frame for b in streamed] == sorted(b.ed_frame for b in streamed)


def test_cycle_window_levels_and_largest_fall():
    clip = cardiac_clip(np.random.default_rng(1), Heart(bpm=60, rr_cv=0.0), 50, 400)
    window = CycleWindow(150)
    for i, v in enumerate(clip.volumes):
        window.add(Sample(i, float(v), float(v)))
    assert window.count == 400 and window.scale() == pytest.approx(60, rel=0.15)  # EDV 100, EF 60
    assert window.levels().high == pytest.approx(100, abs=3)
    deepest = max((b for b in clip.beats if b.ed_frame >= 250 and b.es_frame < 400), key=lambda b: b.edv - b.esv)
    fall = window.largest_fall(250, 399, 5, 37)
    last = deepest
    assert abs(fall.top.frame - last.ed_frame) <= 2 and abs(fall.bottom.frame - last.es_frame) <= 2
    assert fall.depth == pytest.approx(last.edv - last.esv, abs=1.0)
    assert window.largest_fall(0, 100, 5, 37) is None  # no longer held
    top = window.top(last.ed_frame - 10, last.es_frame)
    assert abs(top.frame - last.ed_frame) <= 2 and top.smoothed == pytest.approx(clip.volumes[top.frame])
    assert window.top(0, 100) is None


@pytest.mark.parametrize("n", [1, 2, 3, 20, 149, 150, 151])
def test_percentile_is_numpys_bit_for_bit(n):
    # the levels come from it at every frame; a different rounding could move a threshold decision
    rng = np.random.default_rng(n)
    for values in (rng.normal(80, 20, n), np.round(rng.normal(80, 20, n)), np.full(n, 42.0)):
        for q in (0.0, 5.0, 50.0, 95.0, 100.0):
            assert percentile(values, q) == np.percentile(values, q)


def test_ef_is_the_median_of_the_good_beats():
    good = [Beat(0, 10, 100, 40), Beat(50, 60, 100, 42), Beat(100, 110, 100, 38)]
    assert median_ef(good + [Beat(80, 88, 90, 70, (ECTOPIC,))]) == pytest.approx(60)
    assert median_ef([Beat(80, 88, 90, 70, (ECTOPIC,))]) == pytest.approx(100 * 20 / 90)  # none good: all count
    assert median_ef([]) is None and Beat(0, 1, 2, 1, (ECTOPIC,)).quality == "poor:ectopic"
