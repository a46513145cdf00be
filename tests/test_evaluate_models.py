"""The evaluation job with real model files: a Keras MODEL_DIR and .tflite exports with their model cards.

The models are tiny and untrained (trainer.model.build_unet(filters=(4, 8, 16))): the point is that
each format loads in the workers, runs batched, and lands in the report under its own name and kind.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from beam_pipelines import evaluate
from tests.conftest import TEST_SCHEME


def _card(path: str, kind: str, method: str, scheme: str | None, source_dir: str | None = None) -> None:
    """The fields of export.card that evaluation reads."""
    card = {"tflite_file": os.path.basename(path), "kind": kind, "landmark_scheme": scheme,
            "quantization": {"method": method}}
    if source_dir:
        card["source_model"] = {"model_dir": source_dir}
    with open(path[: -len(".tflite")] + ".json", "w") as f:
        json.dump(card, f)


@pytest.fixture(scope="module")
def model_files(tmp_path_factory, records_root):
    from export.convert import to_tflite
    from lvseg import layout
    from trainer.artifacts import save_trained
    from trainer.backend import keras
    from trainer.model import build_unet

    folder = tmp_path_factory.mktemp("models")
    keras.utils.set_random_seed(3)
    mask_model = build_unet(filters=(4, 8, 16), out_channels=1, dropout=0.0)
    mask_dir = str(folder / "mask-keras")
    save_trained(mask_model, {"model": "mask", "landmark_scheme": None}, mask_dir)
    float_path = str(folder / "mask-float32.tflite")
    with open(float_path, "wb") as f:
        f.write(to_tflite(mask_model, "float32"))
    _card(float_path, "mask", "float32", None)

    lm_model = build_unet(filters=(4, 8, 16), out_channels=12, dropout=0.0)
    images = np.stack([r["image"] for r, _ in zip(layout.iter_frames(records_root, "TRAIN"), range(4))])
    int8_path = str(folder / "landmarks-int8.tflite")
    with open(int8_path, "wb") as f:
        f.write(to_tflite(lm_model, "int8", representative=images))
    _card(int8_path, "landmarks", "int8", TEST_SCHEME)
    return mask_dir, float_path, int8_path


def test_keras_and_tflite_models_run_through_the_job(model_files, records_root, tmp_path):
    mask_dir, float_path, int8_path = model_files
    out = str(tmp_path / "report")
    summary = evaluate.run(["--models", mask_dir, float_path, int8_path, "--records", records_root, "--out", out,
                            "--gif-videos", "1", "--gif-max-frames", "6", "--bootstrap-samples", "50",
                            "--batch-size", "3"])
    models = {m["name"]: m for m in summary["models"]}
    assert [(m["kind"], m["format"], m["quantization"]) for m in models.values()] == \
        [("mask", "keras", "float32"), ("mask", "tflite", "float32"), ("landmarks", "tflite", "int8")]
    by_model = {e["model"]: e for e in summary["results"]}
    assert set(by_model) == {"mask-keras", "mask-float32", "landmarks-int8"}
    for e in by_model.values():
        assert e["dataset"] == "echonet-test" and e["frames"] == 4
        assert 0.0 <= e["pooled_dice"] <= 1.0
    # The float32 TFLite export is the Keras model: the same masks up to float round-off at the threshold.
    assert by_model["mask-float32"]["pooled_dice"] == pytest.approx(by_model["mask-keras"]["pooled_dice"], abs=0.02)
    landmarks = by_model["landmarks-int8"]
    assert landmarks["kind"] == "landmarks" and landmarks["ceiling"]["frames"] == 4  # same scheme as the records
    assert by_model["mask-keras"]["ceiling"] is None
    assert len(summary["gifs"]) == 3 and all(os.path.isfile(os.path.join(out, g["path"])) for g in summary["gifs"])


def test_models_on_gcs_load_like_local_ones(model_files, records_root, gcs_bucket):
    """Workers copy gs:// models (a MODEL_DIR's model and config, a .tflite and its card) before loading."""
    from beam_pipelines.eval_data import frame_from_record
    from beam_pipelines.eval_models import describe, load_predictor
    from lvseg import layout, storage

    mask_dir, _, int8_path = model_files
    for local in (os.path.join(mask_dir, "model.keras"), os.path.join(mask_dir, "config.json"), int8_path,
                  int8_path[: -len(".tflite")] + ".json"):
        storage.write_bytes(f"{gcs_bucket}/models/{os.path.relpath(local, os.path.dirname(mask_dir))}",
                            storage.read_bytes(local))
    storage.write_bytes(f"{gcs_bucket}/models/mask-keras/logs/big.bin", b"not needed")
    frames = [frame_from_record(r, "echonet-test") for r in layout.iter_serialized(records_root, "frames", "TEST")]
    for local, remote in ((mask_dir, f"{gcs_bucket}/models/mask-keras"),
                          (int8_path, f"{gcs_bucket}/models/landmarks-int8.tflite")):
        info = describe(remote)
        assert info.kind == describe(local).kind and info.name == describe(local).name
        got = load_predictor(info).segment_batch(frames)
        want = load_predictor(describe(local)).segment_batch(frames)
        assert all(np.array_equal(a.mask, b.mask) and a.ok == b.ok for a, b in zip(got, want))


def test_exported_variant_files_are_named_after_their_model(tmp_path):
    from beam_pipelines.eval_models import describe_all

    paths = []
    for model in ("mask", "landmarks"):
        path = tmp_path / "exports" / model / "int8.tflite"
        path.parent.mkdir(parents=True)
        path.write_bytes(b"")
        _card(str(path), model, "int8", TEST_SCHEME if model == "landmarks" else None,
              source_dir=str(tmp_path / "models" / model))
        paths.append(str(path))
    assert [m.name for m in describe_all(paths)] == ["mask_int8", "landmarks_int8"]
