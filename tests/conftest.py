"""Shared fixtures: a small synthetic dataset, records written from it, and a local Cloud Storage server.

Records here are written with lvseg.records directly (not through Beam), so trainer, export and
evaluation tests do not depend on the pipeline; the pipeline's own tests check it makes the same bytes.
"""

from __future__ import annotations

import os
import socket

import pytest

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("NO_GCE_CHECK", "True")  # google-auth must never probe the metadata server

SYNTH_VIDEOS = 12
SYNTH_MAX_FRAMES = 40
TEST_SCHEME = "contour12"
TEST_SIGMA = 5.0


@pytest.fixture(scope="session")
def synthetic_root(tmp_path_factory) -> str:
    """A clean synthetic EchoNet dataset (12 short videos, every split present)."""
    from lvseg.synth import generate_echonet

    root = str(tmp_path_factory.mktemp("echonet"))
    generate_echonet(root, videos=SYNTH_VIDEOS, seed=7, max_frames=SYNTH_MAX_FRAMES)
    return root


@pytest.fixture(scope="session")
def faulty_root(tmp_path_factory) -> str:
    """The same kind of dataset with one video per kind of bad input, and its faults.json sidecar."""
    from lvseg.synth import generate_echonet

    root = str(tmp_path_factory.mktemp("echonet_faults"))
    generate_echonet(root, videos=6, seed=3, faults=True, max_frames=SYNTH_MAX_FRAMES)
    return root


def write_records(dataset_root: str, records_root: str, scheme: str = TEST_SCHEME, sigma: float = TEST_SIGMA) -> str:
    """Frame and video records of every split, one shard each, without Beam."""
    import tensorflow as tf

    from lvseg import layout
    from lvseg.echonet import EchoVideo, iter_dataset
    from lvseg.records import frame_examples, video_example

    videos = [v for v in iter_dataset(dataset_root) if isinstance(v, EchoVideo)]
    options = tf.io.TFRecordOptions(compression_type="GZIP")
    for split in layout.SPLIT_NAMES:
        for kind in ("frames", "videos"):
            path = layout.shard_prefix(records_root, kind, split) + "-00000-of-00001" + layout.SHARD_SUFFIX
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with tf.io.TFRecordWriter(path, options) as writer:
                for video in (v for v in videos if v.meta.split == split):
                    for raw in (frame_examples(video, scheme, sigma) if kind == "frames" else [video_example(video)]):
                        writer.write(raw)
    return records_root


@pytest.fixture(scope="session")
def records_root(synthetic_root, tmp_path_factory) -> str:
    """Records of the synthetic dataset (landmark scheme contour12, sigma 5)."""
    return write_records(synthetic_root, str(tmp_path_factory.mktemp("records")))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def gcs_server():
    """gcp-storage-emulator on 127.0.0.1 (in memory); yields the STORAGE_EMULATOR_HOST URL."""
    from gcp_storage_emulator.server import create_server

    port = _free_port()
    server = create_server("127.0.0.1", port, in_memory=True)
    server.start()
    host = f"http://127.0.0.1:{port}"
    previous = os.environ.get("STORAGE_EMULATOR_HOST")
    os.environ["STORAGE_EMULATOR_HOST"] = host
    try:
        yield host
    finally:
        server.stop()
        if previous is None:
            os.environ.pop("STORAGE_EMULATOR_HOST", None)
        else:
            os.environ["STORAGE_EMULATOR_HOST"] = previous


@pytest.fixture
def gcs_bucket(gcs_server):
    """A fresh, empty bucket on the emulator; yields its ``gs://name`` root."""
    import uuid

    from lvseg import storage

    name = f"test-{uuid.uuid4().hex[:12]}"
    storage.gcs_client().create_bucket(name)
    return f"gs://{name}"
