"""The cardiac-cycle model: rhythms, phases, traced beats, hypokinesis, and the true beats written with --truth."""

from __future__ import annotations

import csv
import dataclasses
import os

import numpy as np
import pytest

from lvseg.geometry.mask import disk_volume
from lvseg.synth import generate_echonet
from lvseg.synth.display import beat_phase
from lvseg.synth.physiology import PHYSIOLOGIES, BeatShape, curve, ejection_time, get_physiology
from lvseg.synth.plan import plan_video
from lvseg.synth.sampling import WHOLE_EDGE, _true_beats
from lvseg.synth.truth import VideoTruth, video_truth


@pytest.mark.parametrize("name", sorted(PHYSIOLOGIES))
def test_every_preset_traces_a_whole_beat_at_the_hearts_own_ed_and_es_shapes(name):
    for index in range(12):
        timing = plan_video(21, index, physiology=name, max_frames=None if name == "long" else 120).timing
        assert timing.states[timing.ed_frame] == 1.0 and abs(timing.states[timing.es_frame]) < 0.06
        assert 0 <= min(timing.ed_frame, timing.es_frame) and max(timing.ed_frame, timing.es_frame) < timing.frames
        assert np.all(np.isfinite(timing.states)) and -0.1 < timing.states.min() and timing.states.max() < 1.1
        beats = timing.beats
        assert all(b.ed_frame < b.es_frame for b in beats)
        assert all(a.es_frame < b.ed_frame for a, b in zip(beats, beats[1:]))  # one ED and one ES per cycle
        for b in beats:  # the mitral valve is shut from ED to ES
            assert np.all(timing.valve[b.ed_frame + 1:b.es_frame] == 0.0)


def _rr_cv(name: str) -> float:
    cvs = []
    for index in range(20):
        timing = plan_video(5, index, physiology=name).timing
        rr = np.diff(timing.r_waves)
        cvs.append(rr.std() / rr.mean())
    return float(np.median(cvs))


def test_atrial_fibrillation_is_irregular_and_sinus_rhythm_is_not():
    assert _rr_cv("afib") > 0.12 > 0.06 > _rr_cv("bradycardia")


def test_heart_rates_and_clip_lengths_follow_the_presets():
    for name, (lo, hi) in (("bradycardia", (40, 50)), ("tachycardia", (120, 150))):
        for index in range(10):
            timing = plan_video(3, index, physiology=name, min_frames=200).timing
            bpm = 60.0 * timing.fps / timing.period
            assert lo * 0.85 < bpm < hi * 1.15
    frames = [plan_video(3, i, physiology="long").frames for i in range(10)]
    assert min(frames) >= 300 and max(frames) <= 520


def test_an_ectopic_beat_is_premature_and_weak():
    found = 0
    for index in range(20):
        truth = video_truth(8, index, physiology="ectopic", min_frames=250)
        volumes = truth.volumes
        for beat in truth.plan.timing.beats:
            if beat.ectopic:
                found += 1
                stroke = volumes[beat.ed_frame] - volumes[beat.es_frame]
                assert stroke < 0.7 * (volumes[truth.ed_frame] - volumes[truth.es_frame])
    assert found >= 5


def test_low_ef_preset_draws_low_ejection_fractions():
    efs = []
    for index in range(10):
        truth = video_truth(4, index, physiology="low-ef")
        efs.append(100 * (1 - truth.volumes[truth.es_frame] / truth.volumes[truth.ed_frame]))
    assert max(efs) < 38 and min(efs) > 5


def test_a_hypokinetic_segment_keeps_its_end_systolic_volume_up():
    plan = plan_video(2, 0, physiology="hypokinesis")
    heart = plan.heart
    assert heart.hypokinesis[0] >= 0.6
    normal = dataclasses.replace(heart, hypokinesis=(0.0, 0.5, 0.2, 1))
    ed = [disk_volume(h.lv(1.0).tracing(), 1.25) for h in (heart, normal)]
    es = [disk_volume(h.lv(0.0).tracing(), 1.25) for h in (heart, normal)]
    assert ed[0] == pytest.approx(ed[1])  # the same heart at end-diastole
    assert es[0] > es[1] * 1.03  # less wall motion in one segment: a larger ES volume, a lower EF


def test_ejection_time_shortens_with_heart_rate():
    assert ejection_time(40) > ejection_time(75) > ejection_time(150) >= 0.15


def test_the_ecg_phase_puts_every_r_wave_on_a_whole_beat_even_when_irregular():
    r_waves = np.array([-7.0, 10.0, 22.0, 45.0, 58.0])
    np.testing.assert_allclose(beat_phase(r_waves, r_waves), np.arange(5.0))
    assert beat_phase(np.array([16.0]), r_waves)[0] == pytest.approx(1.5)
    assert beat_phase(np.array([71.0]), r_waves)[0] == pytest.approx(5.0)  # the last RR continues


def test_truth_writes_every_whole_beat_and_the_traced_one_matches_filelist(tmp_path):
    root = str(tmp_path / "afib")
    generate_echonet(root, videos=3, seed=6, max_frames=90, truth=True, physiology="afib")
    with open(os.path.join(root, "Beats.csv"), newline="") as handle:
        beats = list(csv.DictReader(handle))
    with open(os.path.join(root, "FileList.csv"), newline="") as handle:
        filelist = {r["FileName"]: r for r in csv.DictReader(handle)}
    for index in range(3):
        truth = VideoTruth(plan_video(6, index, max_frames=90, physiology="afib"))
        mine = [b for b in beats if b["FileName"] == truth.name]
        assert [(int(b["EDFrame"]), int(b["ESFrame"])) for b in mine] == [
            (b.ed_frame, b.es_frame) for b in truth.plan.timing.beats]
        assert {b["Rhythm"] for b in mine} == {"afib"}
        for b in mine:
            assert float(b["EDV"]) == pytest.approx(truth.volumes[int(b["EDFrame"])], abs=1e-5)
        traced = [b for b in mine if int(b["EDFrame"]) == truth.ed_frame and int(b["ESFrame"]) == truth.es_frame]
        if traced:
            assert float(traced[0]["EF"]) == pytest.approx(float(filelist[truth.name]["EF"]), abs=1e-4)


def test_an_unknown_physiology_is_named():
    with pytest.raises(ValueError, match="unknown physiology 'sinus'"):
        get_physiology("sinus")


def _clip_from(beats, start, frames, fps=50):
    t = start + np.arange(frames) / fps
    states, _ = curve(beats, t)
    return _true_beats(beats, t, states, fps)


def test_an_edge_beat_is_whole_when_the_clip_shows_its_ed_or_es_volume_to_within_whole_edge():
    beats = [BeatShape(0.8 * k, 0.8, 0.04, 0.3, 0.08, 0.14, 0.1, 0.2, 0.8, 0.0, 1, 1.0, 0.0) for k in range(6)]
    b = beats[1]
    just_after_ivc = b.start + b.ivc + 0.02  # 0.02 s into ejection: the state is still within 5 % of the ED level
    assert curve(beats, np.array([just_after_ivc]))[0][0] > 1.0 - WHOLE_EDGE
    assert _clip_from(beats, just_after_ivc, 100)[0].ed_frame == 0
    mid_ejection = b.start + b.ivc + 0.15
    assert abs(_clip_from(beats, mid_ejection, 100)[0].ed_frame - (beats[2].start - mid_ejection) * 50) <= 1
    # the same at the clip's end: stopping just before ES keeps the beat, stopping mid-ejection drops it
    b = beats[4]
    assert _clip_from(beats, b.es_time - 0.01 - 99 / 50, 100)[-1].es_frame == 99
    start = b.start + b.ivc + 0.15 - 99 / 50
    assert abs(_clip_from(beats, start, 100)[-1].ed_frame - (beats[3].start - start) * 50) <= 1
