"""What evaluation scores: one ``EvalFrame`` per labelled frame, whatever dataset it came from.

TEST frame records and external (CAMUS-layout) frames become the same small record, so scoring,
aggregation and the report never look at where a frame came from except through ``dataset``.
Video frames for the GIFs are EvalFrames too (``mask`` is None on untraced frames).
"""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
import tempfile
from dataclasses import dataclass

import numpy as np

from lvseg import storage
from lvseg.frame import FRAME_SHAPE
from lvseg.inference.declutter import declutter as lose_floor, video_floor
from lvseg.records import schema, shards

EXTERNAL_DATASET = "camus"


def frame_id(dataset: str, video_id: str, phase: str, frame_index: int) -> str:
    """The id of a scored frame, unique within a run: ``dataset/video/phase/index``."""
    return f"{dataset}/{video_id}/{phase}/{frame_index}"


def split_dataset_name(split: str) -> str:
    """Dataset label of an EchoNet split in rows and the report, e.g. ``echonet-test``."""
    return f"echonet-{split.lower()}"


@dataclass(frozen=True)
class EvalFrame:
    """One frame to segment: the image, its truth (if any) and where it comes from."""

    dataset: str
    video_id: str
    phase: str                              # "ED", "ES", or "" for an untraced video frame
    frame_index: int
    image: np.ndarray                       # uint8 (H, W)
    mask: np.ndarray | None                 # uint8 (H, W) 0/1, None where there is no truth
    landmarks: np.ndarray | None = None     # (K, 2) true landmarks (TEST records only)
    landmark_scheme: str = ""
    base: np.ndarray | None = None          # (4,) true base line (lvseg.geometry.base); None without a tracing

    @property
    def frame_id(self) -> str:
        return frame_id(self.dataset, self.video_id, self.phase, self.frame_index)


def frame_from_record(serialized: bytes, dataset: str, declutter: float = 0.0) -> EvalFrame:
    """A frame record (lvseg.records.schema) -> EvalFrame (heatmaps are dropped: scoring never needs them), its
    image less ``declutter`` times its video's clutter floor (lvseg.inference.declutter), as lvseg analyze shows it."""
    r = schema.decode_frame(serialized)
    base = None if r["base"] is None else np.asarray(r["base"], np.float64)
    image = lose_floor(r["image"], shards.frame_floor(r), declutter) if declutter else r["image"].copy()
    return EvalFrame(dataset, r["video_id"], r["phase"], r["frame_index"], image, r["mask"].copy(),
                     np.asarray(r["landmarks"], np.float64), r["landmark_scheme"], base)


def external_frames(root: str, skipped: list | None = None) -> list[EvalFrame]:
    """Every labelled frame of a CAMUS-layout set, local or gs:// (bad patients go to ``skipped``).

    lvseg.datasets.camus does the reading and the literature's resizing.
    """
    from lvseg.datasets.camus import iter_camus

    local = local_camus(root)
    try:
        return [EvalFrame(EXTERNAL_DATASET, f.patient, f.phase, 0, np.asarray(f.image, np.uint8),
                          (np.asarray(f.mask) != 0).astype(np.uint8)) for f in iter_camus(local, skipped)]
    finally:
        if local != root:
            shutil.rmtree(local, ignore_errors=True)


def save_frames(frames: list[EvalFrame], path: str) -> None:
    """Stage frames (no landmarks) as one .npz, local or gs://, for the job's workers to read.

    lvseg.datasets.camus reads local folders only, so the launcher decodes the external set and stages it
    where any runner's workers can read it, instead of putting the images in the job graph.
    """
    meta = [[f.dataset, f.video_id, f.phase, f.frame_index] for f in frames]
    masks = [f.mask for f in frames if f.mask is not None]
    if len(masks) != len(frames):
        raise ValueError("only frames with a true mask are staged")
    buffer = io.BytesIO()
    np.savez_compressed(buffer, meta=np.array(json.dumps(meta)),
                        images=np.stack([f.image for f in frames]) if frames else np.zeros((0, *FRAME_SHAPE), np.uint8),
                        masks=np.packbits(np.stack(masks) != 0, axis=-1) if frames
                        else np.zeros((0, FRAME_SHAPE[0], -(-FRAME_SHAPE[1] // 8)), np.uint8))
    storage.write_bytes(path, buffer.getvalue())


def load_frames(path: str) -> list[EvalFrame]:
    """The frames staged by save_frames."""
    data = np.load(io.BytesIO(storage.read_bytes(path)))
    images = data["images"]
    masks = np.unpackbits(data["masks"], axis=-1)[..., :images.shape[-1]] if len(images) else data["masks"]
    return [EvalFrame(d, v, p, int(i), images[n], masks[n].astype(np.uint8))
            for n, (d, v, p, i) in enumerate(json.loads(str(data["meta"])))]


def video_frames(serialized: bytes, dataset: str, max_frames: int,
                 declutter: float = 0.0) -> tuple[float, list[EvalFrame]]:
    """A video record -> (fps, its first ``max_frames`` frames, each less ``declutter`` times the video's clutter
    floor); the ED and ES frames carry their true masks."""
    v = schema.decode_video(serialized)
    ed, es = (int(i) for i in v["traced_frames"])
    truth = {ed: ("ED", v["ed_mask"]), es: ("ES", v["es_mask"])}
    out, frames = [], v["frames"][:max_frames]
    if declutter:
        frames = lose_floor(frames, video_floor(v["frames"], float(v["fps"])), declutter)
    for i, image in enumerate(frames):
        phase, mask = truth.get(i, ("", None))
        out.append(EvalFrame(dataset, v["video_id"], phase, i, image, mask))
    return float(v["fps"]), out


def first_video_records(records: str, split: str, count: int) -> list[bytes]:
    """The first ``count`` serialized video records of a split, in shard order; reads no further."""
    return list(itertools.islice(shards.iter_serialized(records, "videos", split), count))


def local_camus(root: str) -> str:
    """A local folder with the CAMUS set: ``root`` itself, or a temporary copy of a gs:// root's 4CH ED/ES files.

    lvseg.datasets.camus reads local folders only; copying just the files it may read (its ``wanted_file``)
    keeps the download small.
    """
    from lvseg.datasets.camus import wanted_file

    if not storage.is_gcs(root):
        return root
    local = tempfile.mkdtemp(prefix="lvseg-camus-")
    prefix = root.rstrip("/") + "/"
    for path in storage.list_files(root):
        relative = path[len(prefix):]
        if wanted_file(relative):
            os.makedirs(os.path.join(local, os.path.dirname(relative)), exist_ok=True)
            with open(os.path.join(local, relative), "wb") as f:
                f.write(storage.read_bytes(path))
    return local
