"""The synthetic EchoNet-Dynamic generator: format, consistency with its own tracings, realism, determinism."""

from __future__ import annotations

import csv
import dataclasses
import filecmp
import os
import re

import cv2
import numpy as np
import pytest

from lvseg.datasets.echonet import EchoVideo, iter_dataset
from lvseg.datasets.filelist import FILELIST_COLUMNS
from lvseg.datasets.tracings import TRACING_COLUMNS
from lvseg.datasets.video import load_video
from lvseg.geometry.mask import Tracing, disk_volume, shoelace_area, tracing_area, tracing_mask
from lvseg.synth import MM_PER_PIXEL, generate_echonet, sampling
from lvseg.synth.anatomy import sample_heart
from lvseg.synth.clips import write_avi
from lvseg.synth.plan import appearance, plan_video
from lvseg.synth.stats import REAL_RANGES, REAL_STRUCTURE, half_rise, structure_table, video_stats
from tests.conftest import SYNTH_MAX_FRAMES, SYNTH_VIDEOS


def _rows(path: str) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _tracings(root: str) -> dict[str, dict[int, Tracing]]:
    grouped: dict[str, dict[int, list]] = {}
    for r in _rows(os.path.join(root, "VolumeTracings.csv")):
        grouped.setdefault(r["FileName"], {}).setdefault(int(r["Frame"]), []).append(
            [float(r[c]) for c in ("X1", "Y1", "X2", "Y2")])
    return {name: {f: Tracing.from_rows(np.array(v)) for f, v in frames.items()} for name, frames in grouped.items()}


@pytest.fixture(scope="module")
def videos(synthetic_root) -> list[EchoVideo]:
    return list(iter_dataset(synthetic_root))


@pytest.fixture(scope="module")
def stats_root(tmp_path_factory) -> str:
    """B-mode-only clips (the training ranges without domain randomization, whose intensities are random)."""
    root = str(tmp_path_factory.mktemp("synth_stats"))
    generate_echonet(root, videos=24, seed=101, max_frames=30, style="bmode")
    return root


def test_loads_through_the_reader_with_zero_rejects(videos):
    assert len(videos) == SYNTH_VIDEOS
    assert all(isinstance(v, EchoVideo) for v in videos)
    for v in videos:
        assert v.frames.shape[1:] == (112, 112) and v.frames.dtype == np.uint8


def test_csv_layout_names_and_rows_per_frame(synthetic_root):
    with open(os.path.join(synthetic_root, "FileList.csv")) as handle:
        assert handle.readline().strip().split(",") == FILELIST_COLUMNS
    with open(os.path.join(synthetic_root, "VolumeTracings.csv")) as handle:
        assert handle.readline().strip().split(",") == TRACING_COLUMNS
    filelist = _rows(os.path.join(synthetic_root, "FileList.csv"))
    names = [r["FileName"] for r in filelist]
    assert all(re.fullmatch(r"0X[0-9A-F]{16}", n) for n in names) and len(set(names)) == len(names)
    tracings = _rows(os.path.join(synthetic_root, "VolumeTracings.csv"))
    assert {r["FileName"] for r in tracings} == {n + ".avi" for n in names}
    for name in names:
        frames = [int(r["Frame"]) for r in tracings if r["FileName"] == name + ".avi"]
        assert sorted(frames.count(f) for f in set(frames)) == [21, 21]
        assert os.path.exists(os.path.join(synthetic_root, "Videos", name + ".avi"))
    assert {r["Split"] for r in filelist} == {"TRAIN", "VAL", "TEST"}
    assert all(int(r["NumberOfFrames"]) <= SYNTH_MAX_FRAMES for r in filelist)


def test_split_proportions():
    labels = sampling.assign_splits(100, seed=0)
    assert (labels.count("TRAIN"), labels.count("VAL"), labels.count("TEST")) == (74, 13, 13)
    for n in range(6, 15):
        assert set(sampling.assign_splits(n, seed=n)) == {"TRAIN", "VAL", "TEST"}


def test_fps_and_frame_count_are_what_opencv_reads(synthetic_root):
    for row in _rows(os.path.join(synthetic_root, "FileList.csv")):
        capture = cv2.VideoCapture(os.path.join(synthetic_root, "Videos", row["FileName"] + ".avi"))
        assert capture.get(cv2.CAP_PROP_FPS) == float(row["FPS"])
        assert cv2.VideoWriter_fourcc(*"MJPG") == int(capture.get(cv2.CAP_PROP_FOURCC))
        decoded = 0
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            assert frame.shape == (112, 112, 3)
            decoded += 1
        capture.release()
        assert decoded == int(row["NumberOfFrames"])


def test_volumes_and_ef_come_from_the_written_tracings(synthetic_root, videos):
    tracings = _tracings(synthetic_root)
    by_id = {v.video_id: v for v in videos}
    for row in _rows(os.path.join(synthetic_root, "FileList.csv")):
        video = by_id[row["FileName"]]
        frames = tracings[row["FileName"] + ".avi"]
        edv = disk_volume(frames[video.ed.index], MM_PER_PIXEL)
        esv = disk_volume(frames[video.es.index], MM_PER_PIXEL)
        assert float(row["EDV"]) == pytest.approx(edv, abs=1e-5)
        assert float(row["ESV"]) == pytest.approx(esv, abs=1e-5)
        assert float(row["EF"]) == pytest.approx((edv - esv) / edv * 100.0, abs=1e-5)
        assert video.ed.area > video.es.area and edv > esv


def test_ed_is_usually_but_not_always_listed_first(stats_root):
    firsts = []
    for name, frames in _tracings(stats_root).items():
        rows = [r for r in _rows(os.path.join(stats_root, "VolumeTracings.csv")) if r["FileName"] == name]
        first = int(rows[0]["Frame"])
        other = next(f for f in frames if f != first)
        firsts.append(tracing_area(frames[first]) > tracing_area(frames[other]))
    assert 0.6 <= np.mean(firsts) < 1.0


def test_tracing_matches_the_true_contour():
    rng = np.random.default_rng(3)
    for ef in (25.0, 55.0, 68.0):
        heart = sample_heart(rng, ef)
        for c in (1.0, 0.0):
            lv = heart.lv(c)
            true_area = shoelace_area(*lv.contour().T)
            mask_area = float(tracing_mask(lv.tracing()).sum())
            assert mask_area == pytest.approx(true_area, rel=0.06)
            apex, base = lv.tracing().long_axis
            assert np.allclose(apex, lv.apex) and np.allclose(base, lv.base_mid)
        volume_ratio = disk_volume(heart.lv(0.0).tracing(), 1.0) / disk_volume(heart.lv(1.0).tracing(), 1.0)
        assert (1.0 - volume_ratio) * 100.0 == pytest.approx(ef, abs=0.5)


def test_traced_frames_are_the_max_and_min_of_their_beat():
    for i in range(200):
        rng = np.random.default_rng(i)
        fps = sampling.draw_fps(rng)
        timing = sampling.draw_timing(rng, fps, sampling.draw_frames(rng, None, 40 if i % 2 else None))
        ed, es = timing.ed_frame, timing.es_frame
        assert 0 <= min(ed, es) and max(ed, es) < timing.frames
        assert timing.states[ed] == 1.0
        lo, hi = sorted((ed, es))
        between = timing.states[lo:hi + 1]
        assert timing.states[es] == between.min() and timing.states[es] < 0.05
        assert abs(ed - es) < timing.period


def test_distributions_follow_the_real_quantiles():
    rng = np.random.default_rng(0)
    ef = np.array([sampling.draw_ef(rng) for _ in range(4000)])
    assert np.percentile(ef, [5, 25, 50, 75, 95]) == pytest.approx([27.9, 51.6, 59.2, 64.0, 69.1], abs=1.5)
    assert 0.06 < np.mean(ef < 35) < 0.13
    fps = np.array([sampling.draw_fps(rng) for _ in range(4000)])
    assert np.median(fps) == 50 and 18 <= fps.min() and fps.max() <= 138
    frames = np.array([sampling.draw_frames(rng, None, None) for _ in range(4000)])
    assert np.percentile(frames, [5, 50, 95]) == pytest.approx([108, 171, 253], rel=0.05)
    bounded = [sampling.draw_frames(rng, 32, 40) for _ in range(200)]
    assert min(bounded) >= 32 and max(bounded) <= 40


def test_statistics_fall_in_the_real_ranges(stats_root):
    stats = []
    efs = {r["FileName"]: float(r["EF"]) for r in _rows(os.path.join(stats_root, "FileList.csv"))}
    for video in iter_dataset(stats_root):
        assert isinstance(video, EchoVideo)
        s = video_stats(video)
        stats.append(s)
        assert REAL_RANGES["ed_area"][0] <= s["ED"]["area"] <= REAL_RANGES["ed_area"][1]
        assert REAL_RANGES["es_area"][0] <= s["ES"]["area"] <= REAL_RANGES["es_area"][1]
        if 45 <= efs[video.video_id] <= 66:
            lo, hi = REAL_RANGES["area_ratio"]
            assert lo <= s["ED"]["area"] / s["ES"]["area"] <= hi
        for phase in ("ED", "ES"):
            for key in ("axis_length", "axis_angle", "apex_x", "apex_y", "base_x", "base_y", "fan_share"):
                lo, hi = REAL_RANGES[key]
                assert lo <= s[phase][key] <= hi, (key, s[phase][key])
    for key in ("blood", "ring", "rest"):
        values = np.array([s[p][key] for s in stats for p in ("ED", "ES")])
        lo, hi = REAL_RANGES[key]
        assert lo <= np.median(values) <= hi
        # the styles are drawn wider than the 20 real frames these ranges come from: most, not all, inside
        assert np.mean((values >= lo) & (values <= hi)) >= 0.8, key
    ring_minus_blood = [s[p]["ring"] - s[p]["blood"] for s in stats for p in ("ED", "ES")]
    assert min(ring_minus_blood) > 10  # the cavity is clearly darker than its wall
    ed_offset = np.median([s["ED"]["echo_offset"] for s in stats])
    es_offset = np.median([s["ES"]["echo_offset"] for s in stats])
    assert 2 <= ed_offset < es_offset <= 10  # brightest echo outside the tracing, farther at ES


def test_structure_is_close_to_the_real_frames(stats_root):
    """Sector mostly dark with bright structure: quantiles, border profile, frame correlation near issue 12's."""
    table = structure_table([v for v in iter_dataset(stats_root) if isinstance(v, EchoVideo)])
    real = REAL_STRUCTURE
    q, real_q = np.array(table["sector_quantiles"]), np.array(real["sector_quantiles"])
    assert q[0] <= 8 and q[2] < 60 and np.all(np.abs(q[2:] - real_q[2:]) < 0.35 * real_q[2:])
    profile, real_profile = np.array(table["border_profile"]), np.array(real["border_profile"])
    assert np.argmax(profile) >= 5  # the brightest wall echo lies outside the tracing
    assert profile[:4].max() < 35 and profile[6:].min() > 35  # dark inside, bright walls outside
    assert np.abs(profile - real_profile).mean() < 12
    # where the grey rises past half-way is where a model learns the LV ends: it must sit where it does on real
    # frames (0.6 px outside the tracing), not 1.5 px inside as when every trabecula lay inside the tracing
    assert half_rise(profile) == pytest.approx(half_rise(real_profile), abs=0.5)
    assert 0.9 < table["frame_correlation"][0] < 0.99


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a, b, c = (str(tmp_path / n) for n in "abc")
    for root, seed in ((a, 5), (b, 5), (c, 6)):
        generate_echonet(root, videos=3, seed=seed, max_frames=20)
    compare = filecmp.dircmp(a, b)
    assert not compare.diff_files and not compare.left_only and not compare.right_only
    names = sorted(os.listdir(os.path.join(a, "Videos")))
    _, mismatch, errors = filecmp.cmpfiles(os.path.join(a, "Videos"), os.path.join(b, "Videos"), names, shallow=False)
    assert not mismatch and not errors
    assert not filecmp.cmp(os.path.join(a, "FileList.csv"), os.path.join(c, "FileList.csv"), shallow=False)
    assert set(os.listdir(os.path.join(a, "Videos"))).isdisjoint(os.listdir(os.path.join(c, "Videos")))


def test_a_video_does_not_depend_on_how_many_are_generated(tmp_path):
    small, large = str(tmp_path / "small"), str(tmp_path / "large")
    generate_echonet(small, videos=1, seed=9, max_frames=16)
    generate_echonet(large, videos=3, seed=9, max_frames=16)
    name = os.listdir(os.path.join(small, "Videos"))[0]
    assert filecmp.cmp(os.path.join(small, "Videos", name), os.path.join(large, "Videos", name), shallow=False)


def test_cli_writes_a_dataset_and_a_preview(tmp_path, capsys):
    from lvseg.cli import main

    root, png = str(tmp_path / "data"), str(tmp_path / "preview.png")
    assert main(["synth", "echonet", "--out", root, "--videos", "2", "--seed", "1", "--max-frames", "20"]) == 0
    assert len(os.listdir(os.path.join(root, "Videos"))) == 2
    assert main(["synth", "preview", root, "--out", png, "--videos", "2"]) == 0
    image = cv2.imread(png)
    assert image is not None and image.shape[0] == 2 * 3 * 112 and image.shape[1] == 4 * 3 * 112
    assert '"videos": 2' in capsys.readouterr().out
    assert main(["synth", "stats", root]) == 0
    printed = capsys.readouterr().out
    assert "ed_area" in printed and "border_profile" in printed and "real:" in printed
    sheet = str(tmp_path / "sheet.png")
    assert main(["synth", "sheet", "--out", sheet, "--videos", "1", "--styles", "bmode", "heldout-psf"]) == 0
    assert cv2.imread(sheet).shape == (2 * 112, 6 * 2 * 112, 3)  # label maps + 2 styles, ED and ES each
    other = str(tmp_path / "other")
    assert main(["synth", "echonet", "--out", other, "--videos", "1", "--seed", "1", "--max-frames", "20",
                 "--style", "heldout-haze", "--truth"]) == 0
    assert os.path.exists(os.path.join(other, "FrameVolumes.csv"))


def test_styles_change_the_pixels_but_not_the_geometry(tmp_path):
    roots = {style: str(tmp_path / style) for style in ("train", "heldout-psf")}
    for style, root in roots.items():
        generate_echonet(root, videos=2, seed=4, max_frames=16, style=style)
    a, b = roots.values()
    for name in ("FileList.csv", "VolumeTracings.csv"):
        assert filecmp.cmp(os.path.join(a, name), os.path.join(b, name), shallow=False)
    videos = sorted(os.listdir(os.path.join(a, "Videos")))
    _, mismatch, _ = filecmp.cmpfiles(os.path.join(a, "Videos"), os.path.join(b, "Videos"), videos, shallow=False)
    assert mismatch == videos
    with pytest.raises(ValueError, match="unknown style"):
        generate_echonet(str(tmp_path / "x"), videos=1, style="nonsense")


def test_bytes_do_not_depend_on_the_number_of_workers(tmp_path):
    one, two = str(tmp_path / "one"), str(tmp_path / "two")
    generate_echonet(one, videos=3, seed=8, max_frames=12)
    generate_echonet(two, videos=3, seed=8, max_frames=12, workers=2)
    compare = filecmp.dircmp(one, two)
    assert not compare.diff_files and not compare.left_only and not compare.right_only
    names = sorted(os.listdir(os.path.join(one, "Videos")))
    _, mismatch, errors = filecmp.cmpfiles(os.path.join(one, "Videos"), os.path.join(two, "Videos"), names,
                                           shallow=False)
    assert not mismatch and not errors


def test_jpeg_quality_changes_the_bytes_deterministically(tmp_path):
    frames = np.random.default_rng(0).integers(0, 255, (6, 112, 112)).astype(np.uint8)
    sizes = {}
    for name, quality in (("a", 60), ("b", 60), ("c", 95)):
        path = str(tmp_path / f"{name}.avi")
        assert write_avi(path, frames, 50, quality) == (50.0, 6)
        sizes[name] = open(path, "rb").read()
    assert sizes["a"] == sizes["b"] and len(sizes["c"]) > len(sizes["a"])
    decoded = load_video(str(tmp_path / "c.avi"))[0]
    assert np.abs(decoded.astype(int) - frames).mean() < np.abs(load_video(str(tmp_path / "a.avi"))[0].astype(int)
                                                                - frames).mean()


def test_the_default_style_mixes_in_domain_randomization():
    weights = [appearance(plan_video(2, i))[0].mode_weight for i in range(60)]
    weights = np.array(weights)
    randomized, blended = np.mean(weights >= 0.75), np.mean((weights > 0) & (weights < 0.75))
    assert 0.15 < randomized < 0.45 and 0.1 < blended < 0.4
    assert all(appearance(plan_video(2, i), "bmode")[0].mode_weight == 0 for i in range(10))
    # a training device only: VAL and TEST clips are B-mode, with every other draw the same
    for i in range(10):
        train, val = appearance(plan_video(2, i))[0], appearance(plan_video(2, i), training=False)[0]
        assert val.mode_weight == 0 and dataclasses.replace(val, mode_weight=train.mode_weight) == train
