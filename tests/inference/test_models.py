"""lvseg.inference.models: a model spec -> ModelInfo from its metadata, names, and runners local or from gs://."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from lvseg.inference.models import describe, describe_all
from tests.conftest import TEST_SCHEME, write_card_stub


def test_describe_reads_config_and_model_card(tmp_path):
    keras_dir = tmp_path / "mask_model"
    keras_dir.mkdir()
    (keras_dir / "config.json").write_text(json.dumps({"model": "mask", "landmark_scheme": "contour16"}))
    (tmp_path / "lm-int8.json").write_text(json.dumps(
        {"kind": "landmarks", "landmark_scheme": "contour12", "quantization": {"method": "int8"}}))
    (tmp_path / "lm-int8.tflite").write_bytes(b"")
    mask = describe(str(keras_dir))
    assert (mask.name, mask.kind, mask.landmark_scheme, mask.format) == ("mask_model", "mask", "", "keras")
    lm = describe(str(tmp_path / "lm-int8.tflite"))
    assert (lm.name, lm.kind, lm.landmark_scheme, lm.format, lm.quantization) == \
        ("lm-int8", "landmarks", "contour12", "tflite", "int8")
    cloud_dir = tmp_path / "landmarks" / "model"
    cloud_dir.mkdir(parents=True)
    (cloud_dir / "config.json").write_text(json.dumps({"model": "landmarks", "landmark_scheme": "contour16"}))
    assert describe(str(cloud_dir)).name == "landmarks"
    (tmp_path / "bad.json").write_text(json.dumps({"kind": "classifier"}))
    with pytest.raises(ValueError, match="kind"):
        describe(str(tmp_path / "bad.tflite"))
    with pytest.raises(ValueError, match="no model card"):
        describe(str(tmp_path / "missing.tflite"))


def test_models_on_gcs_load_like_local_ones(model_files, records_root, gcs_bucket):
    """Workers copy gs:// models (a MODEL_DIR's model and config, a .tflite and its card) before loading."""
    from lvseg import storage
    from lvseg.inference.models import describe, load_runner
    from lvseg.records import shards

    mask_dir, _, int8_path = model_files
    for local in (os.path.join(mask_dir, "model.keras"), os.path.join(mask_dir, "config.json"), int8_path,
                  int8_path[: -len(".tflite")] + ".json"):
        storage.write_bytes(f"{gcs_bucket}/models/{os.path.relpath(local, os.path.dirname(mask_dir))}",
                            storage.read_bytes(local))
    storage.write_bytes(f"{gcs_bucket}/models/mask-keras/logs/big.bin", b"not needed")
    images = np.stack([r["image"] for r in shards.iter_frames(records_root, "TEST")])
    for local, remote in ((mask_dir, f"{gcs_bucket}/models/mask-keras"),
                          (int8_path, f"{gcs_bucket}/models/landmarks-int8.tflite")):
        info = describe(remote)
        assert info.kind == describe(local).kind and info.name == describe(local).name
        got = load_runner(info).segment(images)
        want = load_runner(describe(local)).segment(images)
        assert all(np.array_equal(a.mask, b.mask) and a.ok == b.ok for a, b in zip(got, want))
    cut = describe(f"waist:{gcs_bucket}/models/mask-keras")  # the model a waist: spec cuts is copied the same way
    assert cut.name == "mask-keras_cut" and cut.spec == f"waist:{gcs_bucket}/models/mask-keras"
    got = load_runner(cut).segment(images)
    want = load_runner(describe(f"waist:{mask_dir}")).segment(images)
    assert all(np.array_equal(a.mask, b.mask) for a, b in zip(got, want))


def test_describe_all_gives_each_model_a_unique_name(model_files):
    mask_dir = model_files[0]
    assert [i.name for i in describe_all([mask_dir, mask_dir])] == ["mask-keras", "mask-keras-2"]


def test_exported_variant_files_are_named_after_their_model(tmp_path, model_files):
    from lvseg.inference.models import describe_all

    paths = []
    for model, source in (("mask", model_files[1]), ("landmarks", model_files[2])):
        path = tmp_path / "exports" / model / "int8.tflite"
        path.parent.mkdir(parents=True)
        path.write_bytes(open(source, "rb").read())
        write_card_stub(str(path), model, "int8", TEST_SCHEME if model == "landmarks" else None,
              source_dir=str(tmp_path / "models" / model))
        paths.append(str(path))
    assert [m.name for m in describe_all(paths)] == ["mask_int8", "landmarks_int8"]
