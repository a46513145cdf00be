"""The evaluation job's DoFns (a module of their own so workers import, not unpickle, them).

Each DoFn that runs a model loads it once per worker in ``setup`` and runs it on whole batches.
Between steps travel per-frame rows, (dice, frame id) pairs, and for every frame one compact payload
(image + bit-packed masks, about 16 KB per frame and model) of which only the best / median / worst
survive the side-input filter. The local runner holds those payloads in memory until the picks are
known: about 160 MB for four models on the full EchoNet TEST split (2,554 frames).
"""

from __future__ import annotations

import io
import json
from typing import Any, Iterable, Iterator, Mapping, NamedTuple

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics

from beam_pipelines.evaluate.frames import EvalFrame, frame_id, video_frames
from beam_pipelines.evaluate.scores import FrameRow, group_key, pick_examples, score
from lvseg import storage
from lvseg.inference.models import ModelInfo, load_runner
from lvseg.inference.runners import Runner
from lvseg.report.figures import video_gif

NAMESPACE = "lvseg.evaluate"
PAYLOADS = "payloads"


class ExamplePayload(NamedTuple):
    """One scored frame, compact, in case it is its group's best / median / worst (tagged PAYLOADS output)."""

    frame_id: str
    dice: float
    image: np.ndarray       # uint8 (H, W)
    true_bits: np.ndarray   # np.packbits of the true mask
    pred_bits: np.ndarray   # np.packbits of the predicted mask


Picks = Mapping[str, Mapping[str, list[str]]]  # group key -> frame id -> which ("best", "median", "worst")


def _loaded(runner: Runner | None) -> Runner:
    if runner is None:
        raise RuntimeError("the DoFn's setup() has not loaded its model")
    return runner


class ScoreBatchFn(beam.DoFn):
    """A batch of EvalFrames -> one per-frame row each, plus a tagged payload for the example picker."""

    def __init__(self, info: ModelInfo):
        self.info = info
        self.runner: Runner | None = None
        self.frames = Metrics.counter(NAMESPACE, f"frames_{info.name}")
        self.failed = Metrics.counter(NAMESPACE, f"failed_{info.name}")

    def setup(self):
        self.runner = load_runner(self.info)

    def process(self, batch: list[EvalFrame]) -> Iterator[Any]:
        """Yields a FrameRow per frame, and (group key, ExamplePayload) tagged PAYLOADS."""
        for frame, seg in zip(batch, _loaded(self.runner).segment(np.stack([f.image for f in batch]))):
            row = score(self.info, frame, seg)
            self.frames.inc()
            if not row["ok"]:
                self.failed.inc()
            yield row
            payload = ExamplePayload(frame.frame_id, row["dice"], frame.image, np.packbits(frame.mask != 0),
                                     np.packbits(seg.mask != 0))
            yield beam.pvalue.TaggedOutput(PAYLOADS, (group_key(self.info.name, frame.dataset), payload))


def dice_and_id(row: FrameRow) -> tuple[str, tuple[float, str]]:
    key = frame_id(row["dataset"], row["video_id"], row["phase"], row["frame_index"])
    return group_key(row["model"], row["dataset"]), (row["dice"], key)


def picks_of(item: tuple[str, Iterable[tuple[float, str]]]) -> tuple[str, dict[str, list[str]]]:
    key, values = item
    return key, pick_examples(list(values))


def select_picked(item: tuple[str, ExamplePayload], picks: Picks) -> Iterator[tuple[str, tuple[str, ExamplePayload]]]:
    """Keep a payload only when its frame is one of its group's best / median / worst."""
    key, payload = item
    for which in picks.get(key, {}).get(payload.frame_id, []):
        yield key, (which, payload)


class WriteExamplesFn(beam.DoFn):
    """All picks of one group -> ``<dir>/<group>.npz`` (the report draws the overlays from it)."""

    def __init__(self, folder: str):
        self.folder = folder

    def process(self, item: tuple[str, Iterable[tuple[str, ExamplePayload]]]) -> Iterator[str]:
        key, picked = item
        arrays: dict[str, Any] = {}
        for which, p in picked:
            n = p.image.size
            arrays[f"{which}_image"] = p.image
            arrays[f"{which}_true"] = np.unpackbits(p.true_bits)[:n].reshape(p.image.shape)
            arrays[f"{which}_pred"] = np.unpackbits(p.pred_bits)[:n].reshape(p.image.shape)
            arrays[f"{which}_meta"] = np.array(json.dumps({"frame_id": p.frame_id, "dice": p.dice}))
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        path = storage.join(self.folder, f"{key}.npz")
        storage.write_bytes(path, buffer.getvalue())
        yield path


class VideoGifFn(beam.DoFn):
    """A video record -> ``<dir>/<model>__<video>.gif`` with the model's contour on every frame."""

    def __init__(self, info: ModelInfo, folder: str, dataset: str, max_frames: int, batch_size: int,
                 declutter: float = 0.0):
        self.info, self.folder, self.dataset = info, folder, dataset
        self.max_frames, self.batch_size, self.declutter = max_frames, batch_size, declutter
        self.runner: Runner | None = None

    def setup(self):
        self.runner = load_runner(self.info, self.batch_size)

    def process(self, serialized: bytes) -> Iterator[dict[str, Any]]:
        fps, frames = video_frames(serialized, self.dataset, self.max_frames, self.declutter)
        if not frames:
            return
        images = np.stack([f.image for f in frames])
        segs = _loaded(self.runner).segment(images)
        gif = video_gif(images, [s.mask if s.ok else None for s in segs], [f.mask for f in frames], fps)
        video_id = frames[0].video_id
        path = storage.join(self.folder, f"{self.info.name}__{video_id}.gif")
        storage.write_bytes(path, gif)
        yield {"model": self.info.name, "video_id": video_id, "path": path, "frames": len(frames),
               "failed": sum(not s.ok for s in segs)}

