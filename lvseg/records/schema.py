"""The record schema: the one definition of the frame and video tf.train.Examples.

Preprocessing writes with ``encode_frame`` / ``encode_video``; the trainer parses with
``parse_frame_tf``; evaluation and tests parse with ``decode_frame`` / ``decode_video``; and
``schema_json()`` is what lands in RECORDS/schema.json. Arrays are stored as raw row-major uint8 bytes
(images, masks, heatmaps quantized to 0-255) inside gzip-compressed TFRecord shards. Whole-video
records keep the dataset's own AVI (MJPEG) bytes: decoding them with ``lvseg.datasets.video`` gives exactly the
frames preprocessing decoded, smaller than compressed raw pixels (35 vs 75 MB in the demo) and with nothing
to re-compress. Examples are built and read with lvseg.records.example_proto, the same messages as
tf.train.Example without TensorFlow: only ``parse_frame_tf`` imports it.

Version 2 added the frame feature ``base`` (the two mitral-annulus hinges, lvseg.geometry.base). Version-1
records lack it: ``decode_frame`` gives None and ``parse_frame_tf`` NaNs, which every consumer reads as
"no base". Version 3 added ``clutter_floor`` (the frame's video's static clutter floor,
lvseg.inference.declutter), the one float array: a trained model can then see its frames as ``lvseg analyze``
shows them (``lvseg train --declutter``). Older records lack it: ``decode_frame`` gives None, and
``parse_frame_tf`` is only asked for it by a trainer that has checked the records' version.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from lvseg.frame import FRAME_SHAPE
from lvseg.records import example_proto as pb

SCHEMA_VERSION = 3
FLOOR_ENCODING = "raw float32 little-endian"
BASE_POINTS = 4  # x_left, y_left, x_right, y_right


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    dtype: str        # "bytes", "int64" or "float" (the tf.train.Feature kind)
    shape: str        # human-readable shape; H, W, K, T are per-record sizes
    encoding: str     # how to turn the stored value into the array
    description: str


FRAME_FEATURES = [
    FeatureSpec("video_id", "bytes", "[]", "utf-8", "FileName without .avi"),
    FeatureSpec("split", "bytes", "[]", "utf-8", "TRAIN, VAL or TEST"),
    FeatureSpec("phase", "bytes", "[]", "utf-8", "ED or ES (ED has the larger traced area)"),
    FeatureSpec("frame_index", "int64", "[]", "value", "0-based index of the traced frame in the video"),
    FeatureSpec("ef", "float", "[]", "value", "ejection fraction, percent"),
    FeatureSpec("edv", "float", "[]", "value", "end-diastolic volume, mL"),
    FeatureSpec("esv", "float", "[]", "value", "end-systolic volume, mL"),
    FeatureSpec("height", "int64", "[]", "value", "H"),
    FeatureSpec("width", "int64", "[]", "value", "W"),
    FeatureSpec("image", "bytes", "[H, W]", "raw uint8", "grey frame"),
    FeatureSpec("mask", "bytes", "[H, W]", "raw uint8 0/1", "official LV mask of the tracing"),
    FeatureSpec("landmark_scheme", "bytes", "[]", "utf-8", "e.g. contour16 or seed6"),
    FeatureSpec("landmarks", "float", "[K, 2]", "flattened (x, y) pairs", "landmarks in canonical order"),
    FeatureSpec("heatmap_sigma", "float", "[]", "value", "Gaussian sigma of the heatmaps, pixels"),
    FeatureSpec("heatmaps", "bytes", "[H, W, K]", "raw uint8, value = round(255 * exp(-d^2 / 2 sigma^2))",
                "one channel per landmark"),
    FeatureSpec("base", "float", "[4]", "x_left, y_left, x_right, y_right",
                "the two mitral-annulus hinges in pixels (x = column, y = row), image-left first: the tracing "
                "polygon's basal closing edge (lvseg.geometry.base.base_line); absent in version-1 records"),
    FeatureSpec("clutter_floor", "bytes", "[H, W]", FLOOR_ENCODING,
                "the video's static clutter floor (lvseg.inference.declutter.video_floor: each pixel's low "
                "percentile over the first seconds), the same for its ED and ES frames; absent before version 3"),
]

VIDEO_FEATURES = [
    FeatureSpec("video_id", "bytes", "[]", "utf-8", "FileName without .avi"),
    FeatureSpec("split", "bytes", "[]", "utf-8", "TRAIN, VAL or TEST"),
    FeatureSpec("fps", "float", "[]", "value", "frames per second"),
    FeatureSpec("num_frames", "int64", "[]", "value", "T"),
    FeatureSpec("height", "int64", "[]", "value", "H"),
    FeatureSpec("width", "int64", "[]", "value", "W"),
    FeatureSpec("ef", "float", "[]", "value", "ejection fraction, percent"),
    FeatureSpec("edv", "float", "[]", "value", "end-diastolic volume, mL"),
    FeatureSpec("esv", "float", "[]", "value", "end-systolic volume, mL"),
    FeatureSpec("video", "bytes", "[T, H, W] once decoded", "AVI file bytes (MJPG) as in the dataset; decode "
                "with OpenCV and convert BGR to grey (lvseg.datasets.video.decode_bytes)", "all frames"),
    FeatureSpec("traced_frames", "int64", "[2]", "value", "[ED frame index, ES frame index]"),
    FeatureSpec("ed_mask", "bytes", "[H, W]", "raw uint8 0/1", "official mask at ED"),
    FeatureSpec("es_mask", "bytes", "[H, W]", "raw uint8 0/1", "official mask at ES"),
]


def schema_json() -> dict:
    """The content of RECORDS/schema.json."""
    return {
        "version": SCHEMA_VERSION,
        "compression": "GZIP",
        "frames": [asdict(f) for f in FRAME_FEATURES],
        "videos": [asdict(f) for f in VIDEO_FEATURES],
    }


def _example(values: dict, specs: list[FeatureSpec]) -> bytes:
    features = {}
    for spec in specs:
        value = values[spec.name]
        if spec.dtype == "bytes":
            raw = value.encode("utf-8") if isinstance(value, str) else \
                np.ascontiguousarray(value, "<f4" if spec.encoding == FLOOR_ENCODING else None).tobytes() \
                if isinstance(value, np.ndarray) else bytes(value)
            features[spec.name] = pb.Feature(bytes_list=pb.BytesList(value=[raw]))
        elif spec.dtype == "int64":
            ints = [int(v) for v in np.ravel(value)]
            features[spec.name] = pb.Feature(int64_list=pb.Int64List(value=ints))
        else:
            floats = [float(v) for v in np.ravel(value)]
            features[spec.name] = pb.Feature(float_list=pb.FloatList(value=floats))
    example = pb.Example(features=pb.Features(feature=features))
    return example.SerializeToString(deterministic=True)  # map order otherwise varies between processes


def encode_frame(*, video_id: str, split: str, phase: str, frame_index: int, ef: float, edv: float, esv: float,
                 image: np.ndarray, mask: np.ndarray, landmark_scheme: str, landmarks: np.ndarray,
                 heatmap_sigma: float, heatmaps: np.ndarray, base: np.ndarray, clutter_floor: np.ndarray) -> bytes:
    """Serialize one traced frame. image/mask (H, W) uint8, landmarks (K, 2), heatmaps (H, W, K) uint8, base (4,),
    clutter_floor (H, W) float32."""
    if image.dtype != np.uint8 or mask.dtype != np.uint8 or heatmaps.dtype != np.uint8:
        raise TypeError("image, mask and heatmaps must be uint8")
    if clutter_floor.dtype != np.float32 or clutter_floor.shape != image.shape:
        raise TypeError(f"clutter_floor must be float32 of the image's shape {image.shape}")
    if np.size(base) != BASE_POINTS:
        raise ValueError(f"base must hold {BASE_POINTS} numbers, not {np.size(base)}")
    values = dict(video_id=video_id, split=split, phase=phase, frame_index=frame_index, ef=ef, edv=edv, esv=esv,
                  height=image.shape[0], width=image.shape[1], image=image, mask=mask,
                  landmark_scheme=landmark_scheme, landmarks=np.asarray(landmarks, np.float32),
                  heatmap_sigma=heatmap_sigma, heatmaps=heatmaps, base=np.asarray(base, np.float32),
                  clutter_floor=clutter_floor)
    return _example(values, FRAME_FEATURES)


def encode_video(*, video_id: str, split: str, fps: float, ef: float, edv: float, esv: float, video: bytes,
                 frame_shape: tuple[int, int, int], traced_frames: tuple[int, int], ed_mask: np.ndarray,
                 es_mask: np.ndarray) -> bytes:
    """Serialize one whole video (its AVI bytes, decoding to ``frame_shape`` (T, H, W)) with ED/ES indices and masks."""
    if not video:
        raise ValueError(f"{video_id}: no video bytes to store")
    t, h, w = frame_shape
    values = dict(video_id=video_id, split=split, fps=fps, num_frames=t, height=h,
                  width=w, ef=ef, edv=edv, esv=esv, video=video,
                  traced_frames=np.asarray(traced_frames), ed_mask=ed_mask.astype(np.uint8),
                  es_mask=es_mask.astype(np.uint8))
    return _example(values, VIDEO_FEATURES)


def _decode(serialized: bytes, specs: list[FeatureSpec]) -> dict:
    feature = pb.Example.FromString(serialized).features.feature
    out: dict[str, Any] = {}
    for spec in specs:
        f = feature[spec.name]
        if spec.encoding == FLOOR_ENCODING:  # absent before version 3
            out[spec.name] = np.frombuffer(f.bytes_list.value[0], "<f4") if f.bytes_list.value else None
        elif spec.dtype == "bytes":
            raw = f.bytes_list.value[0]
            out[spec.name] = raw.decode("utf-8") if spec.encoding == "utf-8" else np.frombuffer(raw, np.uint8)
        elif spec.dtype == "int64":
            values = np.array(f.int64_list.value, dtype=np.int64)
            out[spec.name] = int(values[0]) if spec.shape == "[]" else values
        else:
            values = np.array(f.float_list.value, dtype=np.float32)
            out[spec.name] = float(values[0]) if spec.shape == "[]" else values
    return out


def decode_frame(serialized: bytes) -> dict:
    """numpy view of a frame record: image/mask (H, W) uint8, landmarks (K, 2), heatmaps (H, W, K) uint8,
    base (4,) float32 or None (a version-1 record), clutter_floor (H, W) float32 or None (before version 3)."""
    out = _decode(serialized, FRAME_FEATURES)
    out["base"] = out["base"] if len(out["base"]) == BASE_POINTS else None
    h, w = out["height"], out["width"]
    out["image"] = out["image"].reshape(h, w)
    out["mask"] = out["mask"].reshape(h, w)
    out["landmarks"] = out["landmarks"].reshape(-1, 2)
    out["heatmaps"] = out["heatmaps"].reshape(h, w, -1)
    if out["clutter_floor"] is not None:
        out["clutter_floor"] = out["clutter_floor"].reshape(h, w)
    return out


def decode_video(serialized: bytes) -> dict:
    """numpy view of a video record: frames (T, H, W) uint8 (decoded from the AVI), ed_mask/es_mask (H, W)."""
    from lvseg.datasets.video import decode_bytes

    out = _decode(serialized, VIDEO_FEATURES)
    t, h, w = out["num_frames"], out["height"], out["width"]
    frames, _ = decode_bytes(out.pop("video").tobytes())
    if frames.shape[0] < t or frames.shape[1:] != (h, w):
        raise ValueError(f"{out['video_id']}: stored video decodes to {frames.shape}, record says {(t, h, w)}")
    out["frames"] = frames[:t]
    out["ed_mask"] = out["ed_mask"].reshape(h, w)
    out["es_mask"] = out["es_mask"].reshape(h, w)
    return out


def parse_frame_tf(serialized, num_landmarks: int, clutter_floor: bool = False):
    """tf.data parser for frame records: a dict of tensors with static shapes for a fixed K.

    image and mask come out uint8 (H, W); heatmaps uint8 (H, W, K); landmarks float32 (K, 2); base float32 (4,),
    NaN in a version-1 record; with ``clutter_floor`` (records of version 3 on) also that, float32 (H, W).
    """
    import tensorflow as tf

    spec = {
        s.name: (tf.io.FixedLenFeature([], tf.string) if s.dtype == "bytes" else
                 tf.io.FixedLenFeature([], tf.int64) if s.dtype == "int64" else
                 tf.io.FixedLenFeature([2 * num_landmarks] if s.name == "landmarks" else [], tf.float32))
        for s in FRAME_FEATURES if s.name not in ("base", "clutter_floor")
    }
    if clutter_floor:
        spec["clutter_floor"] = tf.io.FixedLenFeature([], tf.string)
    spec["base"] = tf.io.FixedLenFeature([BASE_POINTS], tf.float32, default_value=[float("nan")] * BASE_POINTS)
    parsed = tf.io.parse_single_example(serialized, spec)
    h, w = FRAME_SHAPE  # static: every record has this size (the reader rejects others)
    parsed["image"] = tf.reshape(tf.io.decode_raw(parsed["image"], tf.uint8), [h, w])
    parsed["mask"] = tf.reshape(tf.io.decode_raw(parsed["mask"], tf.uint8), [h, w])
    parsed["heatmaps"] = tf.reshape(tf.io.decode_raw(parsed["heatmaps"], tf.uint8), [h, w, num_landmarks])
    parsed["landmarks"] = tf.reshape(parsed["landmarks"], [num_landmarks, 2])
    if clutter_floor:
        parsed["clutter_floor"] = tf.reshape(tf.io.decode_raw(parsed["clutter_floor"], tf.float32, little_endian=True),
                                             [h, w])
    return parsed
