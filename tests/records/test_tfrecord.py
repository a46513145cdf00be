"""lvseg.records.tfrecord: our framing is TensorFlow's (both ways), and broken frames fail loudly."""

from __future__ import annotations

import io

import pytest

from lvseg.records.tfrecord import TFRecordError, read_records, write_record

RECORDS = [b"", b"a", b"lvseg" * 1000, bytes(range(256))]


def test_tensorflow_reads_what_we_write_and_we_read_what_it_writes(tmp_path):
    import tensorflow as tf

    ours = tmp_path / "ours.tfrecord"
    with open(ours, "wb") as f:
        for record in RECORDS:
            write_record(f, record)
    assert [r.numpy() for r in tf.data.TFRecordDataset(str(ours))] == RECORDS

    theirs = tmp_path / "theirs.tfrecord"
    with tf.io.TFRecordWriter(str(theirs)) as writer:
        for record in RECORDS:
            writer.write(record)
    assert theirs.read_bytes() == ours.read_bytes()
    with open(theirs, "rb") as f:
        assert list(read_records(f)) == RECORDS


def framed(records: list[bytes]) -> bytes:
    buffer = io.BytesIO()
    for record in records:
        write_record(buffer, record)
    return buffer.getvalue()


@pytest.mark.parametrize("cut", [5, 12, 20])
def test_a_truncated_shard_raises(cut):
    data = framed([b"x" * 30])
    with pytest.raises(TFRecordError, match="truncated"):
        list(read_records(io.BytesIO(data[:cut])))


@pytest.mark.parametrize("flip,what", [(3, "length"), (14, "data")])
def test_a_flipped_bit_raises(flip, what):
    data = bytearray(framed([b"payload-bytes"]))
    data[flip] ^= 0x01
    with pytest.raises(TFRecordError, match=what):
        list(read_records(io.BytesIO(bytes(data))))
