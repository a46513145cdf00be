"""Frames the export needs from RECORDS: seeded TRAIN samples (calibration, QAT) and the VAL set (Dice gate).

Reading streams the shards and keeps a seeded reservoir sample, so memory stays bounded by the
sample size even on the full EchoNet TRAIN split (heatmaps make each landmark record ~150 KB).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from export.config import ExportError
from lvseg.geometry.base import base_band
from lvseg.inference.declutter import declutter as lose_floor
from lvseg.records import shards


@dataclass(frozen=True)
class FrameSet:
    """Frames of one split: images (N, H, W) uint8, masks (N, H, W) uint8 0/1, heatmaps (N, H, W, K) uint8 or None,
    base bands (N, H, W) uint8 0/1 or None (lvseg.geometry.base.base_band: the mask model's second target channel)."""

    images: np.ndarray
    masks: np.ndarray
    heatmaps: np.ndarray | None = None
    bands: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.images)


def sample_frames(records: str, split: str, limit: int | None, seed: int = 0, heatmaps: bool = False,
                  band_depth: float | None = None, declutter: float = 0.0) -> FrameSet:
    """Up to ``limit`` frames of ``split`` (all when None), a uniform seeded sample in record order, with each
    frame's base band ``band_depth`` px deep when one is given (the trainer's rule, so a fine-tune sees its targets),
    and each image less ``declutter`` times its clutter floor (a model trained with --declutter sees its VAL frames so).

    Reservoir sampling (Algorithm R) keeps one pass over the shards; the kept frames are then
    re-sorted by their position so the result does not depend on the reservoir's internals.
    """
    rng = np.random.default_rng(seed)
    kept: list[tuple[int, dict]] = []
    for index, record in enumerate(shards.iter_frames(records, split)):
        item = {"image": record["image"], "mask": record["mask"]}
        if heatmaps:
            item["heatmaps"] = record["heatmaps"]
        if band_depth is not None:
            item["base"] = record.get("base")  # the band is drawn for kept frames only, after the pass
        if declutter:  # like the band, the frame is decluttered only if kept, after the pass
            item["clutter_floor"] = shards.frame_floor(record)
        if limit is None or len(kept) < limit:
            kept.append((index, item))
        else:
            slot = int(rng.integers(0, index + 1))
            if slot < limit:
                kept[slot] = (index, item)
    if not kept:
        raise ExportError(f"no {split} frame records under {records}")
    kept.sort(key=lambda pair: pair[0])
    items = [item for _, item in kept]
    return FrameSet(
        images=np.stack([lose_floor(i["image"], i["clutter_floor"], declutter) if declutter else i["image"]
                         for i in items]).astype(np.uint8),
        masks=np.stack([i["mask"] for i in items]).astype(np.uint8),
        heatmaps=np.stack([i["heatmaps"] for i in items]).astype(np.uint8) if heatmaps else None,
        bands=np.stack([base_band(i["base"], i["mask"], band_depth) for i in items]).astype(np.uint8)
        if band_depth is not None else None,
    )
