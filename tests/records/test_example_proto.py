"""lvseg.records.example_proto: the TF-free Example classes give the bytes tf.train.Example gives, both ways."""

import numpy as np
import pytest

from lvseg.datasets.echonet import EchoVideo, iter_dataset
from lvseg.records import example_proto as pb
from lvseg.records.examples import frame_examples, video_example
from tests.datasets.factory import Dataset

# Every kind of value a record can hold, and the corners of the wire format: empty lists, negative and
# 64-bit ints (10-byte varints), non-finite and subnormal floats, non-ASCII text, bytes that need a
# multi-byte length, and keys whose sorted order differs from insertion order.
FEATURES = {
    "z_text": ("bytes", ["héllo ✓".encode()]),
    "image": ("bytes", [bytes(range(256)) * 300]),
    "empty_bytes": ("bytes", []),
    "two_bytes": ("bytes", [b"", b"x"]),
    "a_ints": ("int64", [0, 1, -1, 2**63 - 1, -(2**63), 300]),
    "no_ints": ("int64", []),
    "floats": ("float", [0.0, -0.0, 1.5, float("nan"), float("inf"), -float("inf"), 1e-45, 3.4e38]),
    "no_floats": ("float", []),
    "M_upper": ("float", [55.5]),
}


def build(module, example_cls, features: dict) -> bytes:
    """An Example of ``features`` built with one set of classes (ours, or TensorFlow's feature_pb2 and Example)."""
    out = {}
    for name, (kind, values) in features.items():
        if kind == "bytes":
            out[name] = module.Feature(bytes_list=module.BytesList(value=values))
        elif kind == "int64":
            out[name] = module.Feature(int64_list=module.Int64List(value=values))
        else:
            out[name] = module.Feature(float_list=module.FloatList(value=values))
    return example_cls(features=module.Features(feature=out)).SerializeToString(deterministic=True)


def test_same_bytes_as_tensorflow_for_every_kind_of_value():
    from tensorflow.core.example import example_pb2, feature_pb2

    ours = build(pb, pb.Example, FEATURES)
    assert ours == build(feature_pb2, example_pb2.Example, FEATURES)
    assert len(ours) > 300 * 256  # the image bytes are in it
    assert build(pb, pb.Example, {}) == build(feature_pb2, example_pb2.Example, {}) == b"\n\x00"


@pytest.fixture(scope="module")
def video(tmp_path_factory) -> EchoVideo:
    root = Dataset(tmp_path_factory.mktemp("one"), n=1).write()
    return next(v for v in iter_dataset(root) if isinstance(v, EchoVideo))


def test_records_are_what_tensorflow_would_serialize(video):
    """Each record, parsed by tf.train.Example and serialized again by it, comes back byte for byte."""
    import tensorflow as tf

    for raw in frame_examples(video, "contour16", 4.0) + [video_example(video)]:
        parsed = tf.train.Example.FromString(raw)
        assert parsed.SerializeToString(deterministic=True) == raw
        assert parsed.features.feature["video_id"].bytes_list.value == [video.video_id.encode()]


def test_tensorflow_examples_parse_with_our_classes(video):
    """A record made by tf.train.Example (however its features were inserted) reads back field by field."""
    import tensorflow as tf

    raw = frame_examples(video, "seed6", 5.0)[0]
    theirs = tf.train.Example.FromString(raw)
    ours = pb.Example.FromString(theirs.SerializeToString())
    assert sorted(ours.features.feature) == sorted(theirs.features.feature)
    for key, feature in theirs.features.feature.items():
        kind = feature.WhichOneof("kind")
        assert ours.features.feature[key].WhichOneof("kind") == kind
        assert list(getattr(ours.features.feature[key], kind).value) == list(getattr(feature, kind).value)
    np.testing.assert_array_equal(ours.features.feature["landmarks"].float_list.value,
                                  theirs.features.feature["landmarks"].float_list.value)
