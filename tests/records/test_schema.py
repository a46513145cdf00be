"""lvseg.records.schema and lvseg.records: one record definition, read back identically by numpy and tf.data."""

import json

import numpy as np
import pytest

from lvseg.datasets.echonet import EchoVideo, iter_dataset
from lvseg.geometry.base import base_line
from lvseg.geometry.heatmaps import decode_heatmaps
from lvseg.geometry.landmarks import landmarks
from lvseg.geometry.mask import tracing_mask
from lvseg.records import schema, shards
from lvseg.records.examples import frame_examples, video_example
from tests.datasets.factory import Dataset


def first_video(tmp_path) -> EchoVideo:
    return next(v for v in iter_dataset(Dataset(tmp_path, n=1).write()) if isinstance(v, EchoVideo))


def test_frame_records_round_trip(tmp_path):
    video = first_video(tmp_path)
    ed, es = [schema.decode_frame(raw) for raw in frame_examples(video, "contour12", 5.0)]
    assert (ed["phase"], es["phase"]) == ("ED", "ES")
    assert ed["frame_index"] == video.ed.index and ed["video_id"] == video.video_id and ed["split"] == "TRAIN"
    np.testing.assert_array_equal(ed["image"], video.frames[video.ed.index])
    np.testing.assert_array_equal(ed["mask"], tracing_mask(video.ed.tracing))
    np.testing.assert_allclose(ed["landmarks"], landmarks(video.ed.tracing, "contour12"), atol=1e-4)
    assert ed["heatmaps"].shape == (112, 112, 12) and ed["heatmaps"].dtype == np.uint8
    decoded, _ = decode_heatmaps(ed["heatmaps"])
    assert np.abs(decoded - ed["landmarks"]).max() < 0.5
    assert ed["mask"].sum() > es["mask"].sum()
    assert ed["ef"] == np.float32(55.5) and ed["landmark_scheme"] == "contour12" and ed["heatmap_sigma"] == 5.0
    for record, traced in ((ed, video.ed), (es, video.es)):
        np.testing.assert_array_equal(record["base"], base_line(traced.tracing))  # whole pixels: exact in float32
        assert record["base"][0] < record["base"][2]  # image-left hinge first


def test_frame_records_carry_the_video_clutter_floor_analyze_takes(tmp_path):
    from lvseg.inference.declutter import declutter, declutter_clip, video_floor

    video = first_video(tmp_path)
    ed, es = [schema.decode_frame(raw) for raw in frame_examples(video, "contour12", 5.0)]
    floor = video_floor(video.frames, video.meta.fps)
    assert ed["clutter_floor"].dtype == np.float32 and ed["clutter_floor"].shape == (112, 112)
    np.testing.assert_array_equal(ed["clutter_floor"], floor)  # float32 stored bit for bit
    np.testing.assert_array_equal(es["clutter_floor"], floor)
    assert 0 < floor.mean() < video.frames.mean()
    # the frame a record's floor gives is the frame lvseg analyze shows the model
    np.testing.assert_array_equal(declutter(ed["image"], ed["clutter_floor"], 0.5),
                                  declutter_clip(video.frames, video.meta.fps, 0.5)[video.ed.index])


def without(raw: bytes, *names: str) -> bytes:
    """The same frame record as an older writer made it, without the features ``names``."""
    from tensorflow.core.example import example_pb2

    example = example_pb2.Example.FromString(raw)
    for name in names:
        del example.features.feature[name]
    return example.SerializeToString(deterministic=True)


def test_version_1_records_read_as_having_no_base(tmp_path):
    import tensorflow as tf

    old = without(frame_examples(first_video(tmp_path), "contour12", 5.0)[0], "base", "clutter_floor")
    record = schema.decode_frame(old)
    assert record["base"] is None and record["clutter_floor"] is None and record["mask"].sum() > 0
    assert np.isnan(schema.parse_frame_tf(tf.constant(old), num_landmarks=12)["base"].numpy()).all()


def test_version_2_records_read_as_having_no_floor(tmp_path):
    import tensorflow as tf

    old = without(frame_examples(first_video(tmp_path), "contour12", 5.0)[0], "clutter_floor")
    record = schema.decode_frame(old)
    assert record["clutter_floor"] is None and record["base"] is not None
    with pytest.raises(shards.RecordsError, match=f"{record['video_id']}: records written before schema version 3"):
        shards.frame_floor(record)  # what train, export and evaluate --declutter say of such records
    current = schema.decode_frame(frame_examples(first_video(tmp_path), "contour12", 5.0)[0])
    assert shards.frame_floor(current) is current["clutter_floor"]
    assert "clutter_floor" not in schema.parse_frame_tf(tf.constant(old), num_landmarks=12)
    assert schema.SCHEMA_VERSION == 3 and schema.schema_json()["version"] == 3


def test_tf_parser_matches_the_numpy_decoder(tmp_path):
    import tensorflow as tf

    video = first_video(tmp_path)
    raw = frame_examples(video, "contour16", 4.0)[1]
    parsed = schema.parse_frame_tf(tf.constant(raw), num_landmarks=16, clutter_floor=True)
    plain = schema.decode_frame(raw)
    for key in ("image", "mask", "heatmaps", "landmarks", "base", "clutter_floor"):
        np.testing.assert_array_equal(parsed[key].numpy(), plain[key])
    assert parsed["phase"].numpy() == b"ES"


def test_video_record_round_trip(tmp_path):
    video = first_video(tmp_path)
    rec = schema.decode_video(video_example(video))
    np.testing.assert_array_equal(rec["frames"], video.frames)
    assert list(rec["traced_frames"]) == [video.ed.index, video.es.index]
    np.testing.assert_array_equal(rec["es_mask"], video.es.mask)
    assert rec["fps"] == 50.0 and rec["num_frames"] == len(video.frames)


def test_records_are_deterministic(tmp_path):
    video = first_video(tmp_path)
    assert frame_examples(video, "seed6", 5.0) == frame_examples(video, "seed6", 5.0)
    assert video_example(video) == video_example(video)


def test_schema_json_lists_every_feature():
    doc = json.loads(json.dumps(schema.schema_json()))
    assert [f["name"] for f in doc["frames"]] == [f.name for f in schema.FRAME_FEATURES]
    assert {"video_id", "frame_index", "phase", "split", "ef", "edv", "esv", "image", "mask", "landmarks",
            "heatmaps", "base", "clutter_floor"} <= {f["name"] for f in doc["frames"]}
    assert doc["compression"] == "GZIP"
