"""Where things live under a RECORDS root, and a plain reader for its shards.

RECORDS/frames/{train,val,test}-SSSSS-of-NNNNN.tfrecord.gz   one Example per traced frame
RECORDS/videos/{train,val,test}-SSSSS-of-NNNNN.tfrecord.gz   one Example per video
RECORDS/schema.json, manifest.json, rejected.jsonl
"""

from __future__ import annotations

import gzip
import io
from typing import Iterator

import numpy as np

from lvseg import storage
from lvseg.errors import UserError
from lvseg.publish import read_complete
from lvseg.records import schema
from lvseg.records.tfrecord import read_records


class RecordsError(UserError):
    """A RECORDS root that cannot be used as asked: missing, not completely published, or an empty split."""


SPLIT_NAMES = {"TRAIN": "train", "VAL": "val", "TEST": "test"}
OWNED = ("frames", "videos", "schema.json", "rejected.jsonl")  # what preprocessing publishes (lvseg.publish)
SHARD_SUFFIX = ".tfrecord.gz"


def require_published(records: str, *splits: str) -> dict:
    """The manifest of a completely published RECORDS root (lvseg.publish.read_complete), for every consumer.

    Each of ``splits`` without a single labelled frame is refused too: training or scoring nothing would
    otherwise end in a bare StopIteration or an empty "successful" report.
    """
    manifest = read_complete(records)
    for split in splits:
        if not (manifest.get("labeled_frames") or {}).get(split.lower()):
            raise RecordsError(f"{records}: the {split.upper()} split holds no labelled frames (see its manifest.json)")
    return manifest


def shard_prefix(records: str, kind: str, split: str) -> str:
    """Prefix of the shards of one kind (``frames`` or ``videos``) and split (``TRAIN`` or ``train``)."""
    return storage.join(records, kind, SPLIT_NAMES.get(split.upper(), split.lower()))


def shard_pattern(records: str, kind: str, split: str) -> str:
    """Glob of those shards, e.g. for tf.data.Dataset.list_files."""
    return shard_prefix(records, kind, split) + "-*-of-*" + SHARD_SUFFIX


def shard_files(records: str, kind: str, split: str) -> list[str]:
    """The existing shard files, sorted (local or gs://)."""
    prefix = shard_prefix(records, kind, split)
    folder = storage.join(records, kind)
    if not storage.is_gcs(records) and not storage.exists(folder):
        return []
    return [f for f in storage.list_files(folder) if f.startswith(prefix + "-") and f.endswith(SHARD_SUFFIX)]


def iter_serialized(records: str, kind: str, split: str) -> Iterator[bytes]:
    """Serialized Examples of every shard, in shard order, local or gs:// (CRC-checked TFRecord framing).

    Plain Python rather than TensorFlow's reader, which ignores the Cloud Storage emulator and costs a
    TensorFlow import; a gs:// shard is fetched whole (shards hold about 100 videos).
    """
    for path in shard_files(records, kind, split):
        stream = gzip.GzipFile(fileobj=io.BytesIO(storage.read_bytes(path))) if storage.is_gcs(path) \
            else gzip.open(path, "rb")
        with stream:
            yield from read_records(stream)


def iter_frames(records: str, split: str) -> Iterator[dict]:
    """Decoded frame records (numpy) of one split."""
    for raw in iter_serialized(records, "frames", split):
        yield schema.decode_frame(raw)


NO_FLOOR = ("records written before schema version 3 carry no clutter floor (lvseg.records.schema "
            "clutter_floor), which frames shown decluttered need: run lvseg preprocess again")


def frame_floor(record: dict) -> np.ndarray:
    """A decoded frame record's clutter floor; RecordsError (one line) for records older than schema 3."""
    if record.get("clutter_floor") is None:
        raise RecordsError(f"{record.get('video_id', '?')}: {NO_FLOOR}")
    return record["clutter_floor"]


def iter_videos(records: str, split: str) -> Iterator[dict]:
    """Decoded video records (numpy) of one split."""
    for raw in iter_serialized(records, "videos", split):
        yield schema.decode_video(raw)
