"""Shard compression: frame shards deflated, video shards stored, both plain gzip and deterministic."""

import gzip
import io
import os

from beam_pipelines.preprocess.sharding import DEFLATE, STORED, ShardWriter
from lvseg.records.tfrecord import read_records


def write(path, records, level) -> bytes:
    with ShardWriter(str(path), level) as writer:
        for record in records:
            writer.write(record)
    return path.read_bytes()


def test_stored_shards_skip_deflate_and_read_back_as_gzip(tmp_path):
    records = [os.urandom(50_000), b"\x00" * 50_000, b""]
    stored = write(tmp_path / "a" / "s.tfrecord.gz", records, STORED)
    deflated = write(tmp_path / "b" / "s.tfrecord.gz", records, DEFLATE)
    assert len(stored) > 100_000 > len(deflated)  # the run of zeros is kept as is only when stored
    for data in (stored, deflated):
        assert list(read_records(gzip.GzipFile(fileobj=io.BytesIO(data)))) == records
    assert write(tmp_path / "c" / "s.tfrecord.gz", records, STORED) == stored
