"""The TRAIN and VAL frame shards of a training run's RECORDS roots, and what the trainer reads from them.

A run trains on ``--records``' TRAIN split plus the TRAIN splits of any ``--extra-train-records`` roots, and
validates on ``--records``' VAL split alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from lvseg.geometry.landmarks import parse_scheme
from lvseg.records import schema, shards
from lvseg.records.shards import RecordsError
from lvseg.tf_backend import tf
from trainer.config import TrainConfig


@dataclass(frozen=True)
class RecordsInfo:
    """What the trainer needs to know about a RECORDS root, read from the records themselves."""

    scheme: str
    num_landmarks: int
    sigma: float
    train_frames: int
    val_frames: int
    has_base: bool = True  # the frames carry the base line (records of schema version 2 on)
    has_floor: bool = True  # every root's frames carry their clutter floor (schema version 3 on)


def split_files(records: str, split: str) -> list[str]:
    """Sorted frame shards of a split (local, /gcs/ or gs://)."""
    return sorted(tf.io.gfile.glob(shards.shard_pattern(records, "frames", split)))


def train_files(config: TrainConfig) -> list[str]:
    """The TRAIN frame shards of the main records, then of each --extra-train-records root."""
    roots = (config.records, *config.extra_train_records)
    return [file for root in roots for file in split_files(root, "TRAIN")]


def read_records_info(records: str, extra_train: tuple[str, ...] = ()) -> RecordsInfo:
    """RecordsInfo of ``records``, its TRAIN count grown by the TRAIN frames of each ``extra_train`` root.

    An extra root must match the main one's scheme, sigma and base line: a model learns one target, and frames
    without a base would silently train the base band's loss on an empty band.
    """
    roots = [os.path.normpath(root) for root in (records, *extra_train)]
    if len(set(roots)) < len(roots):
        raise RecordsError("a RECORDS root is named twice (--records and --extra-train-records): its frames "
                           "would count double")
    info = _records_info(records)
    for root in extra_train:
        more = _records_info(root)
        if (more.scheme, more.sigma, more.has_base) != (info.scheme, info.sigma, info.has_base):
            raise RecordsError(
                f"{root} holds {more.scheme} (sigma {more.sigma:g}, base line {more.has_base}) but {records} holds "
                f"{info.scheme} (sigma {info.sigma:g}, base line {info.has_base}): preprocess both with the same "
                "--landmark-scheme and --heatmap-sigma")
        info = replace(info, train_frames=info.train_frames + more.train_frames,
                       has_floor=info.has_floor and more.has_floor)
    return info


def _records_info(records: str) -> RecordsInfo:
    """Landmark scheme, K and sigma from the first TRAIN record; TRAIN and VAL frame counts from the manifest.

    The manifest is trusted for the counts because require_published has checked every file against it
    (reading all shards to count them would cost a full pass over the data on every start).
    """
    counts = shards.require_published(records, "TRAIN")["labeled_frames"]
    # The first record of any shard: with more shards than videos, the first shards can be empty.
    first = next(iter(tf.data.TFRecordDataset(split_files(records, "TRAIN"), compression_type="GZIP").take(1)))
    frame = schema.decode_frame(first.numpy())
    scheme = frame["landmark_scheme"]
    k = parse_scheme(scheme)
    if k != len(frame["landmarks"]):
        raise RecordsError(f"records say {scheme!r} but hold {len(frame['landmarks'])} landmarks")
    return RecordsInfo(scheme, k, float(frame["heatmap_sigma"]), int(counts.get("train", 0)),
                       int(counts.get("val", 0)), frame.get("base") is not None, frame.get("clutter_floor") is not None)
