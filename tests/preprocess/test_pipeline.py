"""The preprocessing Beam job on small synthetic datasets: rejects, masks, counts, determinism, re-runs, launcher."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import apache_beam as beam
import numpy as np
import pandas as pd
import pytest
from apache_beam.options.pipeline_options import GoogleCloudOptions, SetupOptions, StandardOptions
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to
from skimage.draw import polygon

from beam_pipelines import launch_options
from beam_pipelines.preprocess import transforms
from beam_pipelines.preprocess.pipeline import PreprocessOptions, build_pipeline, launcher_options
from beam_pipelines.preprocess.sharding import ShardWriter, plan_shards
from lvseg.cli import main as lvseg_main
from lvseg.datasets.echonet import plan_dataset
from lvseg.datasets.rejects import RejectReason
from lvseg.publish import claimed
from lvseg.records import shards
from tests.conftest import TEST_SCHEME, TEST_SIGMA

SPLITS = ("TRAIN", "VAL", "TEST")


def run_test_pipeline(data: str, out: str, check=None, **kwargs):
    """Run build_pipeline on a TestPipeline (local no-download runner); ``check(handles)`` adds assertions."""
    options = PreprocessOptions(data=data, out=out, landmark_scheme=TEST_SCHEME, heatmap_sigma=TEST_SIGMA, **kwargs)
    pipeline = test_pipeline.TestPipeline(options=launch_options.pipeline_options([]), blocking=False)
    with claimed(out, shards.OWNED) as run:
        handles = build_pipeline(pipeline, options, run)
        if check is not None:
            check(handles)
        result = pipeline.run()
        result.wait_until_finish()
    return result, handles


def counters(result) -> dict[str, int]:
    return {c.key.metric.name: c.committed for c in result.metrics().query()["counters"]}


def files(root: str) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(Path(root).rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def clean_run(synthetic_root, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("clean_records"))
    pipeline = test_pipeline.TestPipeline(options=launch_options.pipeline_options([]))
    with claimed(out, shards.OWNED) as run:
        handles = build_pipeline(pipeline, PreprocessOptions(data=synthetic_root, out=out, landmark_scheme=TEST_SCHEME,
                                                             heatmap_sigma=TEST_SIGMA), run)
        assert_that(handles.rejected, equal_to([]), label="NoRejects")
        assert_that(handles.written, lambda summaries: _check_summaries(summaries, synthetic_root), label="Summaries")
        assert_that(handles.manifest | beam.Map(lambda m: (m["written_videos"], m["rejected_videos"])),
                    equal_to([(12, 0)]), label="Manifest")
        pipeline.run()
    return out


def _check_summaries(summaries, root):
    filelist = pd.read_csv(os.path.join(root, "FileList.csv"))
    by_split = {s["split"]: s for s in summaries}
    assert len(summaries) == 3  # one shard per split for 12 videos
    for split in SPLITS:
        assert by_split[split]["videos"] == (filelist.Split == split).sum()
        assert by_split[split]["frames"] == 2 * by_split[split]["videos"]


@pytest.fixture
def network_guard(monkeypatch):
    """Records every attempt to reach a non-loopback address from this process."""
    attempts = []
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            attempts.append(address)
            raise OSError("network disabled in tests")
        return real_connect(sock, address)

    def getaddrinfo(host, *args, **kwargs):
        if host not in (None, "127.0.0.1", "::1", "localhost", "") and not str(host).startswith("127."):
            attempts.append(host)
            raise socket.gaierror("network disabled in tests")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts


def test_faults_become_exactly_the_expected_rejects(faulty_root, tmp_path, network_guard):
    expected = json.loads(Path(faulty_root, "faults.json").read_text())
    out = str(tmp_path / "records")

    def dead_letters_are_the_faults(handles):
        pairs = handles.rejected | beam.Map(lambda r: (r["video_id"], r["reason"]))
        assert_that(pairs, equal_to(list(expected.items())), label="DeadLetters")

    result, _ = run_test_pipeline(faulty_root, out, check=dead_letters_are_the_faults)
    assert network_guard == []  # the local runner never tried to download Prism or reach anything

    lines = [json.loads(line) for line in Path(out, "rejected.jsonl").read_text().splitlines()]
    assert {r["video_id"]: r["reason"] for r in lines} == expected and len(lines) == len(expected)
    assert all(r["detail"] for r in lines)
    manifest = json.loads(Path(out, "manifest.json").read_text())
    assert manifest["rejected_videos"] == len(expected)
    assert manifest["input_videos"] == manifest["written_videos"] + manifest["rejected_videos"]
    assert manifest["skipped_videos"] == 0
    assert sum(manifest["rejected"].values()) == len(expected)
    assert manifest["written_videos"] == sum(1 for s in SPLITS for _ in shards.iter_videos(out, s))
    metrics = counters(result)
    for reason, count in manifest["rejected"].items():
        assert metrics[f"rejected_{reason}"] == count
    assert metrics["videos_written"] == manifest["written_videos"]
    assert metrics["frames_written"] == sum(manifest["labeled_frames"].values()) == 2 * manifest["written_videos"]
    assert set(manifest["versions"]) >= {"lvseg", "beam", "tensorflow", "numpy", "opencv"}
    assert manifest["input_fingerprint"].startswith("sha256:")


def official_masks(root: str) -> dict[tuple[str, int], np.ndarray]:
    """(video_id, frame) -> mask by the official rule, straight from VolumeTracings.csv."""
    tracings = pd.read_csv(os.path.join(root, "VolumeTracings.csv"))
    masks = {}
    for (name, frame), rows in tracings.groupby(["FileName", "Frame"], sort=False):
        x = np.concatenate([rows.X1.values[1:], rows.X2.values[1:][::-1]])
        y = np.concatenate([rows.Y1.values[1:], rows.Y2.values[1:][::-1]])
        rr, cc = polygon(np.rint(y).astype(int), np.rint(x).astype(int), shape=(112, 112))
        mask = np.zeros((112, 112), np.uint8)
        mask[rr, cc] = 1
        masks[(name[:-4], int(frame))] = mask
    return masks


def test_masks_follow_the_official_rule_and_ed_is_larger(clean_run, synthetic_root):
    masks = official_masks(synthetic_root)
    seen = {}
    for split in SPLITS:
        for record in shards.iter_frames(clean_run, split):
            key = (record["video_id"], record["frame_index"])
            assert np.array_equal(record["mask"], masks[key]), key
            assert record["landmark_scheme"] == TEST_SCHEME and record["heatmaps"].shape == (112, 112, 12)
            seen.setdefault(record["video_id"], {})[record["phase"]] = record["mask"].sum()
    assert len(seen) == len({k[0] for k in masks})
    for phases in seen.values():
        assert phases["ED"] > phases["ES"]


def test_record_counts_per_split_and_video_records(clean_run, synthetic_root):
    filelist = pd.read_csv(os.path.join(synthetic_root, "FileList.csv"))
    manifest = json.loads(Path(clean_run, "manifest.json").read_text())
    for split in SPLITS:
        n = int((filelist.Split == split).sum())
        frames = list(shards.iter_frames(clean_run, split))
        videos = {v["video_id"]: v for v in shards.iter_videos(clean_run, split)}
        assert len(frames) == 2 * n == manifest["labeled_frames"][shards.SPLIT_NAMES[split]]
        assert len(videos) == n and all(v["split"] == split for v in videos.values())
        for record in frames:
            video = videos[record["video_id"]]
            assert np.array_equal(video["frames"][record["frame_index"]], record["image"])
            assert np.array_equal(video["ed_mask" if record["phase"] == "ED" else "es_mask"], record["mask"])
        assert [Path(f).name for f in shards.shard_files(clean_run, "frames", split)] == \
            [f"{shards.SPLIT_NAMES[split]}-00000-of-00001.tfrecord.gz"]
    assert json.loads(Path(clean_run, "schema.json").read_text())["compression"] == "GZIP"
    assert not [p for p in os.listdir(clean_run) if p.startswith(".tmp-")]


@pytest.mark.slow
def test_two_runs_give_identical_bytes_with_two_worker_processes(clean_run, synthetic_root, tmp_path):
    out = str(tmp_path / "again")
    assert lvseg_main(["preprocess", "--data", synthetic_root, "--out", out, "--landmark-scheme", TEST_SCHEME,
                       "--heatmap-sigma", str(TEST_SIGMA), "--direct_num_workers", "2",
                       "--direct_running_mode", "multi_processing"]) == 0
    first, second = files(clean_run), files(out)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == ["manifest.json"]
    a, b = (json.loads(f["manifest.json"]) for f in (first, second))
    assert a.pop("run_id") != b.pop("run_id")  # each run is named, and that is the only difference
    assert a == b


def test_rerun_into_the_same_root_leaves_no_stale_output(synthetic_root, tmp_path):
    out = str(tmp_path / "records")
    run_test_pipeline(synthetic_root, out, shards=3)
    assert len(shards.shard_files(out, "frames", "TRAIN")) == 3
    Path(out, "unrelated.txt").write_text("kept")  # not ours: a re-run must not touch it
    run_test_pipeline(synthetic_root, out, splits=("train", "VAL"), write_videos=False)
    names = sorted(files(out))
    assert names == ["frames/train-00000-of-00001.tfrecord.gz", "frames/val-00000-of-00001.tfrecord.gz",
                     "manifest.json", "rejected.jsonl", "schema.json", "unrelated.txt"]
    manifest = json.loads(Path(out, "manifest.json").read_text())
    test_videos = int((pd.read_csv(os.path.join(synthetic_root, "FileList.csv")).Split == "TEST").sum())
    assert manifest["skipped_videos"] == test_videos > 0
    assert manifest["input_videos"] == manifest["written_videos"] + manifest["rejected_videos"] + test_videos
    assert set(manifest["labeled_frames"]) == {"train", "val"}


def test_dataflow_launcher_options():
    job, options = launcher_options([
        "--data", "gs://bucket/echonet", "--out", "gs://bucket/records", "--shards", "8", "--no-write-videos",
        "--runner", "DataflowRunner", "--project", "my-project", "--region", "europe-west4",
        "--temp_location", "gs://bucket/tmp", "--setup_file", "./setup.py", "--max_num_workers", "16"])
    assert (job.data, job.out, job.shards, job.write_videos) == ("gs://bucket/echonet", "gs://bucket/records", 8, False)
    assert options.view_as(StandardOptions).runner == "DataflowRunner"
    cloud = options.view_as(GoogleCloudOptions)
    assert (cloud.project, cloud.region, cloud.temp_location) == ("my-project", "europe-west4", "gs://bucket/tmp")
    assert options.view_as(SetupOptions).setup_file == "./setup.py"
    assert "--data" not in options.get_all_options(retain_unknown_options=True).get("unknown", [])
    with pytest.raises(ValueError, match="gs://"):
        launcher_options(["--data", "/local/echonet", "--out", "gs://b/r", "--runner", "DataflowRunner",
                          "--project", "p", "--region", "r", "--temp_location", "gs://b/tmp"])


def test_options_built_in_code_are_held_to_the_flag_limits():
    from lvseg.flags import OptionError

    for bad, message in [({"heatmap_sigma": 0.0}, "--heatmap-sigma: must be greater than 0"),
                         ({"heatmap_sigma": float("nan")}, "--heatmap-sigma: 'nan' is not a finite number"),
                         ({"shards": -1}, "--shards: must be at least 0, got -1")]:
        with pytest.raises(OptionError, match=message):
            PreprocessOptions(data="d", out="o", **bad).validated()


def test_local_runner_never_defaults_to_prism():
    assert launch_options.pipeline_options([]).view_as(StandardOptions).runner == launch_options.LOCAL_RUNNER
    runner = launch_options.pipeline_options(["--runner", "DirectRunner"]).view_as(StandardOptions).runner
    assert runner == "FnApiRunner"
    assert launch_options.pipeline_options(["--runner", "PrismRunner"]).view_as(StandardOptions).runner == "PrismRunner"
    with pytest.raises(ValueError, match="splits"):
        launcher_options(["--data", "d", "--out", "o", "--splits", "TRAINING"])


def test_shard_plan_is_balanced_complete_and_order_free():
    ids = [f"0X{i:04X}" for i in range(10)]
    jobs = plan_shards({"TRAIN": ids[::-1], "VAL": []}, requested=3)
    assert [(j.split, j.index, j.count) for j in jobs] == [("TRAIN", 0, 3), ("TRAIN", 1, 3), ("TRAIN", 2, 3),
                                                           ("VAL", 0, 3), ("VAL", 1, 3), ("VAL", 2, 3)]
    assert sorted(v for j in jobs for v in j.video_ids) == ids
    assert {len(j.video_ids) for j in jobs if j.split == "TRAIN"} == {3, 4}
    assert jobs == plan_shards({"TRAIN": ids, "VAL": []}, requested=3)
    assert [j.count for j in plan_shards({"TRAIN": ids * 25})] == [3, 3, 3]  # auto: one shard per 100 videos


def test_shard_writer_is_tfrecord_and_deterministic(tmp_path):
    import tensorflow as tf

    records = [os.urandom(100), b"", b"x" * 5000]
    for name in ("a", "b"):
        with ShardWriter(str(tmp_path / name / "s.tfrecord.gz")) as writer:
            for record in records:
                writer.write(record)
    assert (tmp_path / "a/s.tfrecord.gz").read_bytes() == (tmp_path / "b/s.tfrecord.gz").read_bytes()
    read = list(tf.data.TFRecordDataset(str(tmp_path / "a/s.tfrecord.gz"), compression_type="GZIP").as_numpy_iterator())
    assert read == records
    with pytest.raises(RuntimeError):
        with ShardWriter(str(tmp_path / "c" / "s.tfrecord.gz")) as writer:
            writer.write(b"partial")
            raise RuntimeError("worker died")
    assert os.listdir(tmp_path / "c") == []  # a failed shard leaves nothing behind


def test_a_video_that_breaks_conversion_is_dead_lettered_but_io_errors_retry(synthetic_root, monkeypatch):
    task = plan_dataset(synthetic_root).tasks[0]
    frames, video = transforms.convert(task, TEST_SCHEME, TEST_SIGMA, with_video=True)
    assert len(frames) == 2 and video

    def broken(*args):
        raise ValueError("landmarks of a pathological polygon")

    monkeypatch.setattr(transforms, "frame_examples", broken)
    reject = transforms.convert(task, TEST_SCHEME, TEST_SIGMA, with_video=False)
    assert reject.reason == RejectReason.RECORD_BUILD_FAILED and "ValueError" in reject.detail

    def unreadable(*args):
        raise ConnectionError("storage unavailable")

    monkeypatch.setattr(transforms, "load_task", unreadable)
    with pytest.raises(ConnectionError):  # transient: Beam retries the shard instead of rejecting the video
        transforms.convert(task, TEST_SCHEME, TEST_SIGMA, with_video=False)
