"""The evaluation job with real model files: a Keras MODEL_DIR and .tflite exports with their model cards.

The models are tiny and untrained (tests/conftest.py: model_files): the point is that each format loads in
the workers, runs batched, and lands in the report under its own name and kind.
"""

from __future__ import annotations

import os

import numpy as np

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


def test_declutter_scores_the_frames_analyze_would_show(model_files, records_root, tmp_path):
    """--declutter S: the TEST frames lose S of their video's clutter floor before the models see them, exactly
    as lvseg.inference.declutter takes it off (the floor stored with each record)."""
    from lvseg.inference.declutter import declutter
    from lvseg.inference.models import describe, load_runner
    from lvseg.metrics.dice import overlap, pooled_dice
    from lvseg.records import shards

    mask_dir = model_files[0]
    summary = evaluate.run(["--models", mask_dir, "--records", records_root, "--out", str(tmp_path / "report"),
                            "--declutter", "0.5", "--gif-videos", "1", "--gif-max-frames", "4",
                            "--bootstrap-samples", "20"])
    assert summary["inputs"]["declutter"] == 0.5
    runner = load_runner(describe(mask_dir))
    records = list(shards.iter_frames(records_root, "TEST"))
    masks = [r["mask"] for r in records]

    def direct(images) -> float:
        return pooled_dice([overlap(s.mask, m) for s, m in zip(runner.segment(np.stack(images)), masks)])

    decluttered = direct([declutter(r["image"], r["clutter_floor"], 0.5) for r in records])
    assert decluttered != direct([r["image"] for r in records])  # the step changes what this model draws
    assert summary["results"][0]["pooled_dice"] == pytest.approx(decluttered, abs=1e-6)
