"""The video-analysis job end to end (real Beam runner) with the TEST-ONLY truth oracle (tests/oracles.py).

The oracle answers each frame with the official mask of that frame's true tracing (lvseg.synth.truth), so
the volume curve, the beats and the EF the job finds are known in advance. The dataset mixes traced,
untraced, undecodable and constant videos.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from beam_pipelines.analyze import pipeline as analyze
from lvseg.datasets.video import load_video
from lvseg.analysis.volumes import measure
from lvseg.inference.declutter import DEFAULT_STRENGTH, declutter_clip
from lvseg.inference.mirror import MirrorRunner
from lvseg.inference.models import describe, load_runner
from lvseg.inference.runners import TFLiteRunner
from lvseg.inference.stream import StreamAnalyser
from lvseg.synth import generate_echonet
from lvseg.synth.clips import write_avi
from lvseg.synth.truth import video_truth
from tests.oracles import add_truth

SEED, VIDEOS, FRAMES = 21, 5, 110


@pytest.fixture(scope="module")
def source(tmp_path_factory, oracles) -> dict:
    """An EchoNet root: 5 clean videos (one without tracings), one undecodable, one constant; and truths."""
    root = tmp_path_factory.mktemp("analyze_source")
    generate_echonet(str(root), videos=VIDEOS, seed=SEED, min_frames=FRAMES, max_frames=FRAMES)
    rows = list(csv.reader(open(root / "FileList.csv")))
    names = [r[0] for r in rows[1:]]
    truths = {}
    for index, name in enumerate(names):
        truth = video_truth(SEED, index, min_frames=FRAMES, max_frames=FRAMES)
        assert truth.name == name
        frames = load_video(str(root / "Videos" / f"{name}.avi"))[0]
        for frame, mask in zip(frames, truth.masks()):
            add_truth(oracles, frame, mask)
        truths[name] = truth
    untraced = names[1]
    lines = (root / "VolumeTracings.csv").read_text().splitlines()
    (root / "VolumeTracings.csv").write_text("\n".join(l for l in lines if not l.startswith(untraced)) + "\n")
    broken, constant = "0XBROKEN0000000001", "0XCONSTANT00000001"
    (root / "Videos" / f"{broken}.avi").write_bytes(b"RIFF" + bytes(500))
    flat = np.full((40, 112, 112), 60, np.uint8)
    flat[:, 40:80, 40:70] = 5
    write_avi(str(root / "Videos" / f"{constant}.avi"), flat, 50)
    mask = np.zeros((112, 112), np.uint8)
    mask[40:80, 40:70] = 1
    add_truth(oracles, load_video(str(root / "Videos" / f"{constant}.avi"))[0][0], mask)
    with open(root / "FileList.csv", "a") as f:
        for name in (broken, constant):
            f.write(f"{name},55.0,30.0,66.7,112,112,50,40,TEST\n")
    return {"root": str(root), "names": names, "truths": truths, "untraced": untraced, "broken": broken,
            "constant": constant}


@pytest.fixture(scope="module")
def result(source, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("analysis"))
    summary = analyze.run(["--videos", source["root"], "--models", "oracle:truth", "--out", out,
                           "--no-mirror-average", "--declutter", "0", "--bootstrap-samples", "100",
                           "--figure-videos", "2", "--gif-max-frames", "20"])
    return out, summary


def rows(path: str) -> list[dict]:
    return list(csv.DictReader(open(path)))


def test_every_video_is_analysed_or_rejected(source, result):
    out, summary = result
    counts = summary["counts"]
    assert counts == {"input_videos": VIDEOS + 2, "analysed_videos": VIDEOS + 1, "rejected_videos": 1,
                      "skipped_videos": 0, "rejected": {"video_undecodable": 1}}
    rejected = [json.loads(line) for line in open(os.path.join(out, "rejected.jsonl"))]
    assert [(r["video_id"], r["reason"]) for r in rejected] == [(source["broken"], "video_undecodable")]
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    assert manifest["input_videos"] == manifest["analysed_videos"] + manifest["rejected_videos"]


def test_true_masks_give_the_true_beats_and_ef(source, result):
    out, _ = result
    by_video = {r["video_id"]: r for r in rows(os.path.join(out, "per_video.csv"))}
    beats = rows(os.path.join(out, "per_beat.csv"))
    for name, truth in source["truths"].items():
        row = by_video[name]
        assert abs(float(row["ef"]) - float(row["ef_reference"])) < 2.0, row  # FileList EF is the true EF
        true_ef = (truth.volumes[truth.ed_frame] - truth.volumes[truth.es_frame]) / truth.volumes[truth.ed_frame]
        for beat in (b for b in beats if b["video_id"] == name):
            ed, es = int(beat["ed_frame"]), int(beat["es_frame"])
            # each found ED / ES is the true curve's local maximum / minimum, or a frame of the same isovolumic
            # plateau (within 1 % of the EDV of it)
            v = truth.volumes
            lo, hi = max(0, ed - 4), min(len(v), ed + 5)
            assert v[ed] >= v[lo:hi].max() - 0.01 * v[ed]
            lo, hi = max(0, es - 4), min(len(v), es + 5)
            assert v[es] <= v[lo:hi].min() + 0.01 * v[ed]
            assert float(beat["ef"]) == pytest.approx(100 * true_ef, abs=2.5)


def test_untraced_and_constant_videos(source, result):
    out, _ = result
    by_video = {r["video_id"]: r for r in rows(os.path.join(out, "per_video.csv"))}
    untraced = by_video[source["untraced"]]
    assert untraced["ef"] != "" and untraced["ef_reference"] != "" and untraced["expert_ed_frame"] == ""
    traced = by_video[source["names"][0]]
    assert abs(float(traced["ef_expert_frames"]) - float(traced["ef_reference"])) < 2.0  # segmentation error only
    constant = by_video[source["constant"]]
    assert constant["ef"] == "" and {"flat", "no_beat"} <= set(constant["quality"].split("+"))


def test_csv_json_and_html_agree(result):
    out, summary = result
    entry = summary["results"][0]
    videos = rows(os.path.join(out, "per_video.csv"))
    pairs = [(float(r["ef"]), float(r["ef_reference"])) for r in videos if r["ef"] and r["ef_reference"]]
    assert entry["ef_vs_reference"]["n"] == len(pairs)
    assert entry["ef_vs_reference"]["mae"]["value"] == pytest.approx(np.mean([abs(p - r) for p, r in pairs]), abs=1e-3)
    bands = entry["ef_vs_reference_by_band"]
    assert sum(b["n"] for b in bands.values()) == len(pairs)  # the bands partition the videos
    low = [p - r for p, r in pairs if r < 35]
    assert bands["ef_below_35"]["n"] == len(low)
    if low:
        assert bands["ef_below_35"]["bias"]["value"] == pytest.approx(np.mean(low), abs=1e-3)
    html = open(os.path.join(out, "report.html")).read()
    assert "EF by the FileList EF band" in html
    shown = float(re.search(r'data-model="oracle-truth" data-value="([^"]+)"', html).group(1))
    assert shown == entry["ef_vs_reference"]["mae"]["value"]
    assert "Research use only" in html and "<script" not in html
    for src in re.findall(r'src="([^"]+)"', html):
        assert os.path.isfile(os.path.join(out, src)), src
    assert len(summary["gifs"]) == 2
    curve_files = sorted(os.listdir(os.path.join(out, "curves")))
    lines = sum(len(open(os.path.join(out, "curves", f)).read().splitlines()) - 1 for f in curve_files)
    assert lines == sum(int(r["frames"]) for r in videos)


def test_stream_and_batch_agree_on_a_video(source, result):
    out, _ = result
    name = source["names"][0]
    frames, fps, _ = load_video(os.path.join(source["root"], "Videos", f"{name}.avi"))
    analyser = StreamAnalyser(load_runner(describe("oracle:truth")), fps)
    found = [b for f in frames for r in analyser.push(f) for b in r.beats] + list(analyser.finish())
    batch = [b for b in rows(os.path.join(out, "per_beat.csv")) if b["video_id"] == name]
    assert [(b.ed_frame, b.es_frame) for b in found] == [(int(b["ed_frame"]), int(b["es_frame"])) for b in batch]
    assert [round(b.ef, 4) for b in found] == [float(b["ef"]) for b in batch]


def test_a_plain_folder_of_videos(source, tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    for name in source["names"][:2]:
        shutil.copy(Path(source["root"], "Videos", f"{name}.avi"), folder)
    (folder / "notes.txt").write_text("not a video")
    summary = analyze.run(["--videos", str(folder), "--models", "oracle:truth", "--out", str(tmp_path / "out"),
                           "--no-mirror-average", "--declutter", "0", "--bootstrap-samples", "50",
                           "--figure-videos", "0"])
    assert summary["counts"]["analysed_videos"] == 2 and summary["inputs"]["layout"] == "folder"
    videos = rows(str(tmp_path / "out" / "per_video.csv"))
    assert all(r["ef"] and r["ef_reference"] == "" and r["split"] == "" for r in videos)


@pytest.fixture(scope="module")
def edge_tflite(tmp_path_factory) -> str:
    """A mask 'model' that is not mirror-symmetric: sigmoid(40 (right neighbour - left neighbour)), high where
    the image brightens to the right (a left wall seen from inside the cavity), so mirroring changes its answer."""
    from export.convert import to_tflite
    from lvseg.tf_backend import keras
    from tests.conftest import write_card_stub

    inputs = keras.Input((112, 112, 1))
    model = keras.Model(inputs, keras.layers.Conv2D(1, (1, 3), padding="same", activation="sigmoid")(inputs))
    weights = np.array([-40.0, 0.0, 40.0], np.float32).reshape(1, 3, 1, 1)
    model.layers[-1].set_weights([weights, np.zeros(1, np.float32)])
    path = str(tmp_path_factory.mktemp("edge") / "edge.tflite")
    with open(path, "wb") as f:
        f.write(to_tflite(model, "float32"))
    write_card_stub(path, "mask", "float32", None)
    return path


def analyse_one_clip(source, model: str, tmp_path, *flags: str) -> tuple[dict, np.ndarray, float, list[float]]:
    """The first source video alone through the job: its summary, its frames and rate, the curve's areas."""
    name = source["names"][0]
    folder = tmp_path / "clips"
    folder.mkdir()
    shutil.copy(Path(source["root"], "Videos", f"{name}.avi"), folder)
    summary = analyze.run(["--videos", str(folder), "--models", model, "--out", str(tmp_path / "out"), *flags,
                           "--bootstrap-samples", "50", "--figure-videos", "0"])
    frames, fps, _ = load_video(str(folder / f"{name}.avi"))
    curve = [r for path in sorted((tmp_path / "out" / "curves").iterdir()) for r in rows(str(path))]
    return summary, frames, fps, [float(r["area"]) for r in sorted(curve, key=lambda r: int(r["frame"]))]


def test_by_default_the_job_analyses_the_mirror_averaged_masks(source, edge_tflite, tmp_path):
    summary, frames, fps, areas = analyse_one_clip(source, edge_tflite, tmp_path)
    assert summary["inputs"]["mirror_average"] is True and summary["counts"]["analysed_videos"] == 1
    assert summary["inputs"]["declutter"] == DEFAULT_STRENGTH
    # the edge 'model' does not draw an LV: what matters is that the job measured the mirror-averaged masks
    # (of the frames less their static clutter, also a default)
    frames = declutter_clip(frames, fps, DEFAULT_STRENGTH)
    runner = TFLiteRunner(edge_tflite)
    averaged = [measure(s, "mask").area for s in MirrorRunner(runner).segment(frames)]
    assert averaged != [measure(s, "mask").area for s in runner.segment(frames)]
    assert areas == averaged


def test_declutter_takes_the_static_clutter_off_before_the_models_see_the_frames(source, edge_tflite, tmp_path):
    summary, frames, fps, areas = analyse_one_clip(source, edge_tflite, tmp_path, "--declutter", "0.7",
                                                   "--no-mirror-average")
    assert summary["inputs"]["declutter"] == 0.7 and summary["counts"]["analysed_videos"] == 1
    runner = TFLiteRunner(edge_tflite)
    decluttered = [measure(s, "mask").area for s in runner.segment(declutter_clip(frames, fps, 0.7))]
    assert decluttered != [measure(s, "mask").area for s in runner.segment(frames)]
    assert areas == decluttered


def test_splits_select_and_the_rest_is_skipped(source, tmp_path):
    summary = analyze.run(["--videos", source["root"], "--models", "oracle:truth", "--out", str(tmp_path / "out"),
                           "--no-mirror-average", "--declutter", "0", "--splits", "TEST", "--bootstrap-samples", "50",
                           "--figure-videos", "0"])
    counts = summary["counts"]
    assert counts["input_videos"] == counts["analysed_videos"] + counts["rejected_videos"] + counts["skipped_videos"]
    assert counts["skipped_videos"] > 0
    assert {r["split"] for r in rows(str(tmp_path / "out" / "per_video.csv"))} == {"TEST"}


def test_main_reports_a_user_error_in_one_line(capsys, tmp_path):
    """The streaming analyser, once ``analyze --stream``, is ``lvseg stream`` (tests/inference/test_stream_cli.py)."""
    from lvseg import cli

    assert cli.main(["analyze", "--videos", str(tmp_path / "none"), "--models", "oracle:truth",
                     "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.startswith("lvseg analyze: error: ")


def test_the_output_folder_may_not_be_the_video_folder(tmp_path):
    """The next analysis of that folder would take the report's files for videos."""
    from beam_pipelines.analyze.pipeline import run
    from lvseg.errors import UserError

    (tmp_path / "Videos").mkdir()
    for out in (tmp_path, tmp_path / "Videos", f"{tmp_path}/"):
        with pytest.raises(UserError, match="is the folder the videos are read from"):
            run(["--videos", str(tmp_path), "--models", "m", "--out", str(out)])
    assert sorted(os.listdir(tmp_path)) == ["Videos"]


def test_options_take_splits_in_any_case_once_each_and_require_their_inputs(capsys, tmp_path):
    from lvseg import cli
    from lvseg.flags import OptionError

    job, _ = analyze.launcher_options(["--videos", "v", "--models", "m", "--out", "o", "--splits", "test", "Val",
                                       "TEST"])
    assert job.splits == ("TEST", "VAL")
    with pytest.raises(OptionError, match="invalid choice: 'DEV'"):
        analyze.launcher_options(["--videos", "v", "--models", "m", "--out", "o", "--splits", "dev"])
    with pytest.raises(OptionError, match="required: --models"):
        analyze.AnalyzeOptions(videos="v", out="o").validated()
    with pytest.raises(OptionError, match="--temporal-window: .*odd"):
        analyze.AnalyzeOptions(videos="v", models=("m",), out="o", temporal_window=2).validated()
    assert cli.main(["analyze", "--videos", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "lvseg analyze: error: the following arguments are required: --models, --out"


def test_headline_text_aligns_names_left_and_numbers_right():
    from beam_pipelines.analyze.report_page import HEADLINE_COLUMNS, headline_text

    estimate = {"value": 4.5, "low": 4.0, "high": 5.0}
    agreement = {"n": 12, "mae": estimate, "rmse": estimate, "bias": estimate, "pearson_r": estimate,
                 "r2": estimate, "auc": {"ef_below_35": estimate, "ef_below_50": estimate}}
    entry = {"model": "m", "videos": 120, "with_ef": 118, "ef_vs_reference": agreement,
             "ef_at_expert_frames_vs_reference": agreement}
    lines = headline_text([entry, {**entry, "model": "longer-name", "videos": 7}]).splitlines()
    assert len(lines) == 3 and lines[0].endswith(HEADLINE_COLUMNS[-1])
    assert lines[0].startswith("model" + " " * 8 + "videos")
    assert lines[1].startswith("m" + " " * 15 + "120") and lines[2].startswith("longer-name" + " " * 7 + "7")
    assert "4.50 [4.00, 5.00]" in lines[1] and len({len(line) for line in lines}) == 1
