"""benchmarks.bias_factors: clips' figures ranked against the generator's replayed draws, the replay checked."""

from __future__ import annotations

import csv
import os
import sys

import numpy as np
import pytest

from lvseg.synth.make_echonet import generate_echonet
from lvseg.synth.plan import appearance
from lvseg.synth.truth import video_truth

sys.path.append(os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))  # it runs as a script
import bias_factors  # noqa: E402

SEED, VIDEOS, MAX_FRAMES = 7, 10, 24


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> str:
    root = str(tmp_path_factory.mktemp("bias") / "echonet")
    generate_echonet(root, videos=VIDEOS, seed=SEED, max_frames=MAX_FRAMES)
    return root


def filelist(root: str) -> list[dict]:
    with open(os.path.join(root, "FileList.csv"), newline="") as handle:
        return list(csv.DictReader(handle))


def write_per_frame(path: str, root: str, es_ratio) -> None:
    """An evaluate per_frame.csv for every clip of ``root``: ED drawn exactly, ES at ``es_ratio(index)``."""
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["model", "dataset", "video_id", "phase", "frame_index", "ok", "area_ratio", "true_area"])
        for i, row in enumerate(filelist(root)):
            truth = video_truth(SEED, i, max_frames=MAX_FRAMES)
            for phase, frame, ratio in (("ED", truth.ed_frame, 1.0), ("ES", truth.es_frame, es_ratio(i))):
                out.writerow(["mask", "echonet-test", row["FileName"], phase, frame, "True", ratio,
                              int(truth.mask(frame).sum())])


def noise(index: int) -> float:
    return appearance(video_truth(SEED, index, max_frames=MAX_FRAMES).plan, "train", training=False)[0].noise


def test_the_draw_the_es_excess_follows_ranks_first(dataset, tmp_path):
    per_frame = str(tmp_path / "per_frame.csv")
    write_per_frame(per_frame, dataset, lambda i: 1.0 + noise(i))  # ES too large in proportion to the clip's noise
    clips = bias_factors.read_ratios(per_frame, "mask", "echonet-test")
    names, table = bias_factors.replay(dataset, list(clips), SEED, "train", "train", None, MAX_FRAMES,
                                       lambda truth: bias_factors.check_areas(truth, clips[truth.name]))
    assert len(names) == VIDEOS
    es = np.array([clips[v]["ES"][1] for v in names])
    name, rho = bias_factors.ranked(es, table)[0]
    assert name == "noise" and rho == pytest.approx(1.0)
    low, _, high = bias_factors.thirds(np.array([row["noise"] for row in table]), es)
    assert low[2] < high[2]
    assert bias_factors.ranked(np.ones(VIDEOS), table) == []  # the ED ratio never varies: nothing follows it


def test_a_replay_with_other_frame_bounds_or_seed_is_refused(dataset, tmp_path):
    per_frame = str(tmp_path / "per_frame.csv")
    write_per_frame(per_frame, dataset, lambda i: 1.0)
    clips = bias_factors.read_ratios(per_frame, "mask", "echonet-test")
    with pytest.raises(SystemExit, match="does not replay"):  # the same hearts, other lengths: other ED/ES frames
        bias_factors.replay(dataset, list(clips), SEED, "train", "train", None, 2 * MAX_FRAMES,
                            lambda truth: bias_factors.check_areas(truth, clips[truth.name]))
    names, _ = bias_factors.replay(dataset, list(clips), SEED + 1, "train", "train", None, MAX_FRAMES,
                                   lambda truth: bias_factors.check_areas(truth, clips[truth.name]))
    assert names == []  # another seed's names: no clip of the table


def test_the_ef_replay_matches_the_filelist_ef(dataset):
    for i, row in enumerate(filelist(dataset)):
        truth = video_truth(SEED, i, max_frames=MAX_FRAMES)
        bias_factors.check_ef(truth, float(row["EF"]))
        with pytest.raises(SystemExit, match="EF does not replay"):
            bias_factors.check_ef(truth, float(row["EF"]) + 0.5)


def test_an_analysis_s_ef_errors_are_ranked_from_the_command_line(dataset, tmp_path, capsys):
    per_video = tmp_path / "per_video.csv"
    with open(per_video, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["video_id", "model", "ef_reference", "ef_error"])
        for i, row in enumerate(filelist(dataset)):
            out.writerow([row["FileName"], "mask", row["EF"], -100 * noise(i)])  # EF lower the noisier the clip
    assert bias_factors.main(["--per-video", str(per_video), "--data", dataset, "--seed", str(SEED),
                              "--max-frames", str(MAX_FRAMES), "--top", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"mask: {VIDEOS} videos")
    assert lines[2].split()[:3] == ["noise", "rho", "-1.00"]
