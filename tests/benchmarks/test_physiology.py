"""benchmarks.physiology: a held-out physiology analysis scored against the true beats (plain count and one to
one, edge beats aside), from the CSVs `lvseg synth --truth` and `lvseg analyze` write."""

from __future__ import annotations

import math
import os
import sys

import pytest

sys.path.append(os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))  # it runs as a script
import physiology  # noqa: E402

from lvseg.synth.sampling import video_id  # noqa: E402


def _write(path, header: str, rows: list[str]) -> None:
    path.write_text("\n".join([header, *rows]) + "\n")


def test_an_extra_edge_beat_spoils_the_plain_count_but_not_the_match(tmp_path):
    data, out = tmp_path / "data", tmp_path / "analysis"
    (out / "curves").mkdir(parents=True)
    data.mkdir()
    _write(data / "FileList.csv", "FileName,EF,FPS", ["A,60,50", "B,60,50"])
    _write(data / "Beats.csv", "FileName,EDFrame,ESFrame,EF,Rhythm",
           [f"{v},{ed},{es},60,sinus" for v in "AB" for ed, es in ((10, 30), (60, 80))])
    _write(data / "FrameVolumes.csv", "FileName,Frame,Volume", [f"{v},{t},100" for v in "AB" for t in range(100)])
    # A: both beats and an extra one whose ED is the clip's second frame (edge zone at 50 fps: 2 frames);
    # B: the second beat missed, and the curve flagged erratic
    _write(out / "per_video.csv", "video_id,model,ed_frames,es_frames,ef,ef_reference,quality",
           ["A,mask,1 10 60,18 30 80,58,60,", "B,mask,10,30,55,60,erratic"])
    _write(out / "curves" / "c.csv", "video_id,model,frame,volume,ok",
           [f"{v},mask,{t},{100 - (t % 50) * 0.5},True" for v in "AB" for t in range(100)])
    r = physiology.score(str(data), str(out))["mask"]
    assert r["videos"] == 2 and r["beats_exact"] == 0.0 and r["matched"] == 0.5
    assert r["ef_mae"] == pytest.approx(3.5) and r["erratic_regular"] == 0.5 and r["no_ef"] == 0.0
    # at the true frames (10, 30) and (60, 80) the curve reads 95 and 85 where the truth is 100 throughout
    assert r["ef_bias_frames"] == pytest.approx(100 * (1 - 85 / 95) - 60) and r["ef_mae_frames"] == pytest.approx(
        60 - 100 * (1 - 85 / 95))
    assert r["es_vs_ed"] == pytest.approx(85 / 95)
    assert "matched" in physiology.table({"train": {"mask": r}}).splitlines()[0]


def test_refind_finds_the_beats_again_on_the_saved_curve(tmp_path):
    # the saved row is wrong on purpose (one beat, EF 20, erratic); the saved curve is a clean cycle of
    # 50 frames at 50 fps with EDs at 10 and 60 (volume 100) and ESs at 35 and 85 (volume 50): EF 50
    data, out = tmp_path / "data", tmp_path / "analysis"
    (out / "curves").mkdir(parents=True)
    data.mkdir()
    _write(data / "FileList.csv", "FileName,EF,FPS", ["A,50,50"])
    _write(data / "Beats.csv", "FileName,EDFrame,ESFrame,EF,Rhythm", ["A,10,35,50,sinus", "A,60,85,50,sinus"])
    _write(data / "FrameVolumes.csv", "FileName,Frame,Volume", [f"A,{t},100" for t in range(100)])
    _write(out / "per_video.csv", "video_id,model,fps,ed_frames,es_frames,ef,ef_reference,quality",
           ["A,mask,50,5,40,20,50,erratic"])
    volumes = [75 + 25 * math.cos(2 * math.pi * (t - 10) / 50) for t in range(100)]
    _write(out / "curves" / "c.csv", "video_id,model,frame,volume,ok",
           [f"A,mask,{t},{v},True" for t, v in enumerate(volumes)])
    saved = physiology.score(str(data), str(out))["mask"]
    assert saved["beats_exact"] == 0.0 and saved["ef_mae"] == pytest.approx(30) and saved["erratic_regular"] == 1
    again = physiology.score(str(data), str(out), again=True)["mask"]
    assert again["beats_exact"] == 1.0 and again["matched"] == 1.0 and again["erratic_regular"] == 0
    assert again["ed_err"] <= 1 and again["es_err"] <= 1 and again["ef_mae"] < 1.0


def test_the_ef_mae_ci_resamples_clips_that_every_preset_shares():
    errors = [1.0, -1.0, 1.0, -1.0, 3.0, -3.0, 3.0, float("nan")]
    grouped = physiology.clip_ci(errors, [0, 0, 0, 0, 1, 1, 1, 1])
    alone = physiology.clip_ci(errors, list(range(8)))
    assert 1.0 <= grouped[0] < alone[0] and alone[1] < grouped[1] <= 3.0  # two clips vary more than seven videos
    assert physiology.clip_ci([2.0, -2.0], [0, 1]) == (2.0, 2.0)


def test_the_row_all_pools_every_presets_videos(tmp_path):
    raw = {}
    for preset, ef in (("train", "58"), ("long", "66")):
        data, out = tmp_path / preset / "data", tmp_path / preset / "analysis"
        (out / "curves").mkdir(parents=True)
        data.mkdir()
        _write(data / "FileList.csv", "FileName,EF,FPS", ["A,60,50"])
        _write(data / "Beats.csv", "FileName,EDFrame,ESFrame,EF,Rhythm", ["A,10,30,60,sinus"])
        _write(data / "FrameVolumes.csv", "FileName,Frame,Volume", [f"A,{t},100" for t in range(50)])
        _write(out / "per_video.csv", "video_id,model,ed_frames,es_frames,ef,ef_reference,quality",
               [f"A,mask,10,30,{ef},60,"])
        _write(out / "curves" / "c.csv", "video_id,model,frame,volume,ok", [f"A,mask,{t},100,True" for t in range(50)])
        raw[preset] = physiology.collect(str(data), str(out))
    rows, ci = physiology.pooled(raw)
    assert rows["mask"]["videos"] == 2 and rows["mask"]["ef_mae"] == pytest.approx(4.0)
    assert "(1 hearts" in ci and "4.00" in ci  # one clip in both presets: its two errors always drawn together


def test_a_work_folder_of_another_seed_is_refused(tmp_path):
    # the presets of one seed used to share seed 2 itself: clip i had one heart and look in every preset
    data = tmp_path / "data" / "train"
    data.mkdir(parents=True)
    _write(data / "FileList.csv", "FileName,EF,FPS", [f"{video_id(2, 0)},60,50"])
    with pytest.raises(SystemExit) as refused:
        physiology.main(["--work", str(tmp_path), "--models", "M", "--presets", "train", "--seed", "2"])
    assert refused.value.code == 2


def test_another_look_has_folders_of_its_own(tmp_path):
    # --style renders the same hearts in another look: its clips live in data-STYLE/, never mixed with the default's
    styled = tmp_path / "data-heldout-haze" / "train"
    styled.mkdir(parents=True)
    _write(styled / "FileList.csv", "FileName,EF,FPS", [f"{video_id(3, 0)},60,50"])
    with pytest.raises(SystemExit) as refused:
        physiology.main(["--work", str(tmp_path), "--models", "M", "--presets", "train", "--seed", "2",
                         "--style", "heldout-haze"])
    assert refused.value.code == 2
    with pytest.raises(SystemExit) as unknown:
        physiology.main(["--work", str(tmp_path), "--models", "M", "--style", "no-such-look"])
    assert unknown.value.code == 2


def test_an_analysis_of_other_models_or_of_a_model_retrained_since_is_stale(tmp_path):
    import json

    model, out = tmp_path / "mask", tmp_path / "analysis"
    model.mkdir()
    out.mkdir()
    (model / "model.keras").write_bytes(b"weights")
    (out / "summary.json").write_text(json.dumps({"models": [{"spec": str(model)}]}))
    summary_time = os.path.getmtime(out / "summary.json")
    os.utime(model / "model.keras", (summary_time - 10, summary_time - 10))
    assert physiology.stale(str(out), [str(model)]) is None
    assert "not of --models" in physiology.stale(str(out), [str(model), "other.tflite"])
    os.utime(model / "model.keras", (summary_time + 10, summary_time + 10))  # retrained at the same path
    assert "model.keras changed after the analysis" in physiology.stale(str(out), [str(model)])
