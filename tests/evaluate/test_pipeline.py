"""The whole evaluation job (Beam, CSV, JSON, HTML) with the TEST-ONLY oracle models (tests/oracles.py).

oracle:truth returns the true mask (Dice 1), oracle:inverted its complement (Dice 0), oracle:landmarks
the spline through the frame's true landmarks: on TEST records it must equal the landmark ceiling,
and on CAMUS (no landmarks) every frame fails and counts as an empty prediction.
"""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from beam_pipelines.evaluate import pipeline as evaluate
from beam_pipelines.evaluate import report_page, scores
from lvseg.errors import UserError

# waist:oracle:truth: the truth cut at the waist (lvseg.inference.waist_cut); a true LV has none to cut.
ORACLES = ["oracle:truth", "oracle:inverted", "oracle:landmarks", "waist:oracle:truth"]


@pytest.fixture(scope="module")
def oracle_run(records_root, camus_root, oracles, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("report"))
    argv = ["--models", *ORACLES, "--records", records_root, "--external", camus_root, "--out", out,
            "--bootstrap-samples", "200", "--gif-videos", "2", "--gif-max-frames", "12"]
    summary = evaluate.run(argv)
    return out, summary, argv


def result(summary, model, dataset):
    return next(e for e in summary["results"] if e["model"] == model and e["dataset"] == dataset)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.srcs, self.hrefs, self.pooled, self.tags = [], [], [], set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if "src" in a:
            self.srcs.append(a["src"])
        if "href" in a:
            self.hrefs.append(a["href"])
        if "pooled" in (a.get("class") or "").split():
            self.pooled.append(a)


def test_perfect_model_scores_one_and_inverted_zero(oracle_run):
    _, summary, _ = oracle_run
    for dataset in ("echonet-test", "camus"):
        perfect, inverted = result(summary, "oracle-truth", dataset), result(summary, "oracle-inverted", dataset)
        assert perfect["pooled_dice"] == 1.0 and perfect["ci95"] == [1.0, 1.0] and perfect["failed"] == 0
        assert perfect["phases"]["ED"]["pooled_dice"] == perfect["phases"]["ES"]["pooled_dice"] == 1.0
        assert inverted["pooled_dice"] == 0.0 and inverted["mean_dice"] == 0.0
        assert perfect["frames"] == inverted["frames"] > 0
        cut = result(summary, "oracle-truth_cut", dataset)
        assert cut["pooled_dice"] == 1.0 and cut["frames"] == perfect["frames"]
    assert result(summary, "oracle-truth", "camus")["frames"] == 6  # 3 patients x ED, ES


def test_area_ratio_and_base_leak_where_a_base_exists(oracle_run):
    _, summary, _ = oracle_run
    perfect, inverted = result(summary, "oracle-truth", "echonet-test"), result(summary, "oracle-inverted",
                                                                                   "echonet-test")
    for phase in ("ED", "ES"):
        p, i = perfect["phases"][phase], inverted["phases"][phase]
        assert p["median_area_ratio"] == 1.0 and p["median_base_leak"] == p["mean_base_leak"] == 0.0
        assert p["base_frames"] == p["frames"] > 0
        assert i["median_area_ratio"] > 5 and i["median_base_leak"] > 0.5  # everything but the LV: far beyond
    camus = result(summary, "oracle-inverted", "camus")  # masks, no tracings: a ratio, no base
    assert camus["phases"]["ES"]["median_area_ratio"] > 1 and camus["phases"]["ES"]["median_base_leak"] is None
    assert camus["base_frames"] == 0 and camus["mean_base_leak"] is None


def test_landmark_oracle_equals_its_ceiling_and_failures_count_as_empty(oracle_run):
    _, summary, _ = oracle_run
    test = result(summary, "oracle-landmarks", "echonet-test")
    assert test["ceiling"]["frames"] == test["frames"]
    assert test["ceiling"]["pooled_dice"] == pytest.approx(test["pooled_dice"])
    assert 0.9 < test["pooled_dice"] < 1.0  # contour12 spline vs the official polygon: close, not exact
    camus = result(summary, "oracle-landmarks", "camus")
    assert camus["failed"] == camus["frames"] == 6
    assert camus["pooled_dice"] == 0.0 and camus["pooled_dice_ok"] is None and camus["ceiling"] is None


def test_csv_json_and_html_agree(oracle_run):
    out, summary, _ = oracle_run
    with open(os.path.join(out, "per_frame.csv")) as f:
        rows = scores.from_csv(f.read())
    with open(os.path.join(out, "summary.json")) as f:
        on_disk = json.load(f)
    page = _Page()
    with open(os.path.join(out, "report.html")) as f:
        html = f.read()
    page.feed(html)
    shown = {(a["data-model"], a["data-dataset"]): float(a["data-value"]) for a in page.pooled}
    assert len(on_disk["results"]) == 8 and len(shown) == 8  # 4 models x 2 datasets
    for e in on_disk["results"]:
        group = [r for r in rows if r["model"] == e["model"] and r["dataset"] == e["dataset"]]
        inter = sum(r["intersection"] for r in group)
        total = sum(r["pred_area"] + r["true_area"] for r in group)
        recomputed = 1.0 if total == 0 else 2 * inter / total
        assert len(group) == e["frames"] and sum(not r["ok"] for r in group) == e["failed"]
        for r in group:
            assert r["area_ratio"] == pytest.approx(r["pred_area"] / r["true_area"], abs=1e-12)
        leaks = sorted(r["base_leak"] for r in group if r["phase"] == "ES" and r["base_leak"] is not None)
        assert e["phases"]["ES"]["base_frames"] == len(leaks)
        if leaks:
            assert e["phases"]["ES"]["median_base_leak"] == pytest.approx(float(np.median(leaks)), abs=1e-12)
            assert report_page.fmt_share(e["phases"]["ES"]["median_base_leak"]) in html
        assert e["pooled_dice"] == pytest.approx(recomputed, abs=1e-12)
        assert shown[(e["model"], e["dataset"])] == pytest.approx(recomputed, abs=1e-12)
        assert f"{recomputed:.4f} [" in html
    assert on_disk["results"] == summary["results"]


def test_report_is_self_contained_and_every_image_exists(oracle_run):
    out, summary, _ = oracle_run
    page = _Page()
    with open(os.path.join(out, "report.html")) as f:
        html = f.read()
    page.feed(html)
    assert "script" not in page.tags and "link" not in page.tags
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html) and "url(" not in html
    assert "Research use only" in html
    for path in page.srcs + page.hrefs:
        assert not os.path.isabs(path) and os.path.isfile(os.path.join(out, path)), path
    pngs = [p for p in page.srcs if p.endswith(".png")]
    gifs = [p for p in page.srcs if p.endswith(".gif")]
    assert len(pngs) == 16            # 4 models x 2 datasets x (histogram + overlay grid)
    assert len(gifs) == 2 * 4         # 2 TEST videos x 4 models
    assert len(summary["gifs"]) == 8
    published = ["gifs", "images", "manifest.json", "per_frame.csv", "report.html", "summary.json"]
    assert sorted(os.listdir(out)) == published


def test_gif_has_one_frame_per_video_frame(oracle_run):
    import imageio.v3 as iio

    out, summary, _ = oracle_run
    frames = iio.imread(os.path.join(out, summary["gifs"][0]["path"]), index=None)
    assert frames.shape[0] == 12 and frames.shape[1:3] == (112, 112)


def test_main_prints_report_path_and_headline(records_root, oracles, tmp_path, capsys):
    out = str(tmp_path / "report")
    code = evaluate.main(["--models", "oracle:truth", "--records", records_root, "--out", out,
                          "--gif-videos", "0", "--bootstrap-samples", "50"])
    printed = capsys.readouterr().out
    assert code == 0
    assert f"report: {os.path.join(out, 'report.html')}" in printed
    assert re.search(r"oracle-truth\s+echonet-test\s+1\.0000 \[1\.0000, 1\.0000\]\s+1\.0000\s+1\.0000"
                     r"\s+x1\.00\s+x1\.00\s+0\.0%\s+4\s+0", printed)
    with open(os.path.join(out, "summary.json")) as f:
        assert json.load(f)["datasets"] == ["echonet-test"]  # no --external: TEST only
    assert not os.path.exists(os.path.join(out, "gifs")) or not os.listdir(os.path.join(out, "gifs"))


def test_bad_arguments_fail_clearly(records_root, oracles, tmp_path):
    with pytest.raises(ValueError, match="required"):
        evaluate.run(["--records", records_root, "--out", str(tmp_path)])
    with pytest.raises(UserError, match="manifest.json"):
        evaluate.run(["--models", "oracle:truth", "--records", str(tmp_path / "none"), "--out", str(tmp_path)])


def test_options_built_in_code_are_held_to_the_flag_limits():
    from lvseg.flags import OptionError

    given = {"models": ("m",), "records": "r", "out": "o"}
    for bad in ({"batch_size": 0}, {"gif_videos": -1}, {"gif_max_frames": 0}, {"bootstrap_samples": 0}):
        (name, value), = bad.items()
        with pytest.raises(OptionError, match=f"--{name.replace('_', '-')}: must be at least"):
            evaluate.EvaluateOptions(**given, **bad).validated()
    assert evaluate.EvaluateOptions(**given, gif_videos=0, split="test").validated().split == "TEST"


def test_an_unknown_flag_names_the_command():
    with pytest.raises(UserError, match=r"--seeds \(did you mean --seed\?\): neither a lvseg evaluate option"):
        evaluate.launcher_options(["--models", "m", "--records", "r", "--out", "o", "--seeds", "4"])
