"""Shared fixtures: a small synthetic dataset, records written from it, and a local Cloud Storage server.

Records here are written with lvseg.records directly (not through Beam), so trainer, export and
evaluation tests do not depend on the pipeline; the pipeline's own tests check it makes the same bytes.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("NO_GCE_CHECK", "True")  # google-auth must never probe the metadata server

REPO_ROOT = Path(__file__).resolve().parents[1]
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


def write_records(dataset_root: str, records_root: str, scheme: str = TEST_SCHEME, sigma: float = TEST_SIGMA,
                  splits: tuple[str, ...] = ("TRAIN", "VAL", "TEST")) -> str:
    """Frame and video records, one shard per split, published like preprocessing's (without Beam).

    The videos of ``splits`` are written; any other split gets an empty shard, as a preprocessing run of
    a dataset without that split would.
    """
    import tensorflow as tf

    from lvseg.datasets.echonet import EchoVideo, iter_dataset
    from lvseg.publish import claimed, publish
    from lvseg.records import shards
    from lvseg.records.examples import frame_examples, video_example

    videos = [v for v in iter_dataset(dataset_root) if isinstance(v, EchoVideo) and v.meta.split in splits]
    options = tf.io.TFRecordOptions(compression_type="GZIP")
    counts = {}
    with claimed(records_root, shards.OWNED) as run:
        for split, name in shards.SPLIT_NAMES.items():
            counts[name] = 2 * sum(v.meta.split == split for v in videos)
            for kind in ("frames", "videos"):
                path = shards.shard_prefix(run.staging, kind, split) + "-00000-of-00001" + shards.SHARD_SUFFIX
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with tf.io.TFRecordWriter(path, options) as writer:
                    for video in (v for v in videos if v.meta.split == split):
                        for raw in (frame_examples(video, scheme, sigma) if kind == "frames"
                                    else [video_example(video)]):
                            writer.write(raw)
        publish(run, shards.OWNED, {"labeled_frames": counts, "written_videos": len(videos)})
    return records_root


@pytest.fixture(scope="session")
def records_root(synthetic_root, tmp_path_factory) -> str:
    """Records of the synthetic dataset (landmark scheme contour12, sigma 5)."""
    return write_records(synthetic_root, str(tmp_path_factory.mktemp("records")))


@pytest.fixture(scope="session")
def camus_root(tmp_path_factory) -> str:
    """A synthetic CAMUS-layout external set of 3 patients (6 labelled frames)."""
    from lvseg.synth import generate_camus

    root = str(tmp_path_factory.mktemp("camus"))
    generate_camus(root, patients=3, seed=2)
    return root


@pytest.fixture(scope="session")
def oracles(records_root, camus_root):
    """Registers the TEST-ONLY ``oracle:`` models (tests/oracles.py) over the TEST records' and CAMUS frames."""
    from lvseg.datasets.camus import iter_camus
    from lvseg.records import shards
    from tests.oracles import add_truth, register_oracles, unregister_oracles

    truth: dict = {}
    for record in shards.iter_frames(records_root, "TEST"):
        add_truth(truth, record["image"], record["mask"], np.asarray(record["landmarks"], np.float64))
    for frame in iter_camus(camus_root):
        add_truth(truth, frame.image, frame.mask != 0)
    register_oracles(truth, TEST_SCHEME)
    yield truth
    unregister_oracles()


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


def upload_tree(local: str, gs_root: str) -> None:
    """Copy a local folder to a gs:// root file by file (through lvseg.storage, so the emulator sees it)."""
    from lvseg import storage

    for path in sorted(Path(local).rglob("*")):
        if path.is_file():
            storage.write_bytes(storage.join(gs_root, path.relative_to(local).as_posix()), path.read_bytes())


def write_card_stub(path: str, kind: str, method: str, scheme: str | None, source_dir: str | None = None) -> None:
    """A model card with just the fields lvseg.inference reads and checks (export.card writes the full one):
    the file's sha256 and, for a real model, its tensors (lvseg.inference.card)."""
    import hashlib

    with open(path, "rb") as f:
        data = f.read()
    card = {"tflite_file": os.path.basename(path), "kind": kind, "landmark_scheme": scheme,
            "quantization": {"method": method}, "tflite_sha256": hashlib.sha256(data).hexdigest()}
    if data:
        from ai_edge_litert.interpreter import Interpreter

        from export.card import tensor_spec

        interpreter = Interpreter(model_content=data)
        card["input"] = tensor_spec(interpreter.get_input_details()[0], "input")
        card["output"] = tensor_spec(interpreter.get_output_details()[0], "output")
        card["num_landmarks"] = card["output"]["shape"][-1] if kind == "landmarks" else None
    if source_dir:
        card["source_model"] = {"model_dir": source_dir}
    with open(path[: -len(".tflite")] + ".json", "w") as f:
        json.dump(card, f)


@pytest.fixture(scope="session")
def model_files(tmp_path_factory, records_root):
    """Tiny untrained models in every format: a Keras MODEL_DIR, a float32 and an int8 .tflite with cards."""
    from export.convert import to_tflite
    from lvseg.records import shards
    from lvseg.tf_backend import keras
    from trainer.artifacts import save_trained
    from trainer.model import build_unet

    folder = tmp_path_factory.mktemp("models")
    keras.utils.set_random_seed(3)
    mask_model = build_unet(filters=(4, 8, 16), out_channels=1, dropout=0.0)
    mask_dir = str(folder / "mask-keras")
    save_trained(mask_model, {"model": "mask", "landmark_scheme": None}, mask_dir)
    float_path = str(folder / "mask-float32.tflite")
    with open(float_path, "wb") as f:
        f.write(to_tflite(mask_model, "float32"))
    write_card_stub(float_path, "mask", "float32", None)

    lm_model = build_unet(filters=(4, 8, 16), out_channels=12, dropout=0.0)
    images = np.stack([r["image"] for r, _ in zip(shards.iter_frames(records_root, "TRAIN"), range(4))])
    int8_path = str(folder / "landmarks-int8.tflite")
    with open(int8_path, "wb") as f:
        f.write(to_tflite(lm_model, "int8", representative=images))
    write_card_stub(int8_path, "landmarks", "int8", TEST_SCHEME)
    return mask_dir, float_path, int8_path


@pytest.fixture(scope="session")
def threshold_tflite(tmp_path_factory) -> str:
    """One 1x1 convolution, sigmoid(40 x - 20) of the input x in [0, 1]: above 0.5 where x > 0.5 (grey > 127)."""
    from export.convert import to_tflite
    from lvseg.tf_backend import keras

    inputs = keras.Input((112, 112, 1))
    model = keras.Model(inputs, keras.layers.Conv2D(1, 1, activation="sigmoid")(inputs))
    model.layers[-1].set_weights([np.full((1, 1, 1, 1), 40.0, np.float32), np.array([-20.0], np.float32)])
    levels = np.linspace(0, 255, 16, dtype=np.uint8)
    representative = np.broadcast_to(levels[:, None, None], (16, 112, 112)).copy()
    path = str(tmp_path_factory.mktemp("threshold") / "threshold.tflite")
    with open(path, "wb") as f:
        f.write(to_tflite(model, "int8", representative))
    write_card_stub(path, "mask", "int8", None)
    return path
