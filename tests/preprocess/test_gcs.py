"""The preprocessing job with gs:// input and output, end to end against the local Cloud Storage emulator."""

from __future__ import annotations

import json
import time

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from beam_pipelines import launch_options
from beam_pipelines.preprocess.pipeline import run
from lvseg import storage
from lvseg.records import shards
from tests.conftest import TEST_SCHEME, upload_tree

FLAGS = ["--landmark-scheme", TEST_SCHEME]


def gcs_files(root: str) -> dict[str, bytes]:
    return {f[len(root) + 1:]: storage.read_bytes(f) for f in storage.list_files(root)}


def test_gcs_in_and_out_matches_a_local_run(synthetic_root, gcs_bucket, tmp_path):
    data, out = storage.join(gcs_bucket, "echonet"), storage.join(gcs_bucket, "records")
    upload_tree(synthetic_root, data)
    start = time.monotonic()
    remote = run(["--data", data, "--out", out, *FLAGS])
    assert time.monotonic() - start < 60  # no credential lookup stalls
    local = run(["--data", synthetic_root, "--out", str(tmp_path), *FLAGS])

    assert remote["input_fingerprint"] == local["input_fingerprint"]
    same = {k: v for k, v in remote.items() if k not in ("options", "run_id")}
    assert same == {k: v for k, v in local.items() if k not in ("options", "run_id")}  # files and sizes included
    written = gcs_files(out)
    assert not [name for name in written if name.startswith(".tmp-")]
    for name, data_bytes in written.items():
        if name.endswith(shards.SHARD_SUFFIX) or name in ("schema.json", "rejected.jsonl"):
            assert (tmp_path / name).read_bytes() == data_bytes, name  # same bytes, wherever they are written
    assert json.loads(written["manifest.json"]) == remote

    # Beam's own gcsio reads the shards at once (no 40-60 s credential lookup)
    start = time.monotonic()
    pattern = shards.shard_pattern(out, "frames", "TRAIN")
    assert len(FileSystems.match([pattern])[0].metadata_list) == 1
    pipeline = test_pipeline.TestPipeline(options=launch_options.pipeline_options([]))
    count = pipeline | beam.io.ReadFromTFRecord(pattern) | beam.combiners.Count.Globally()
    assert_that(count, equal_to([remote["labeled_frames"]["train"]]))
    pipeline.run()
    assert time.monotonic() - start < 20


def test_gcs_rerun_replaces_previous_output(synthetic_root, gcs_bucket):
    data, out = storage.join(gcs_bucket, "echonet"), storage.join(gcs_bucket, "records")
    upload_tree(synthetic_root, data)
    run(["--data", data, "--out", out, "--shards", "2", *FLAGS])
    assert len(shards.shard_files(out, "videos", "VAL")) == 2
    storage.write_text(storage.join(gcs_bucket, "records-other", "keep.txt"), "a sibling prefix")
    manifest = run(["--data", data, "--out", out, "--no-write-videos", *FLAGS])
    expected = [f"frames/{split}-00000-of-00001.tfrecord.gz" for split in ("test", "train", "val")]
    assert sorted(gcs_files(out)) == expected + ["manifest.json", "rejected.jsonl", "schema.json"]
    assert storage.exists(storage.join(gcs_bucket, "records-other", "keep.txt"))
    assert manifest["options"]["write_videos"] is False
