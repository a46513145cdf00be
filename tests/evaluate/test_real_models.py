"""The evaluation job with real model files: a Keras MODEL_DIR and .tflite exports with their model cards.

The models are tiny and untrained (tests/conftest.py: model_files): the point is that each format loads in
the workers, runs batched, and lands in the report under its own name and kind.
"""

from __future__ import annotations

import os

import pytest

from beam_pipelines.evaluate import pipeline as evaluate


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
