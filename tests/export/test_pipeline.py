"""The export end to end on a tiny trained U-Net: every variant converts, agrees with Keras, is carded and gated.

One tiny mask model (filters 4-8-16, ~60 training steps on the synthetic TRAIN records) is exported once
to all five variants through export.pipeline (the landmark and pruning tests go through the command line);
the tests then check the files against what they measure themselves.

Tolerances (LiteRT output vs Keras output, probabilities in [0, 1]): float32 max |diff| <= 1e-4;
float16 max <= 0.05; dynamic mean <= 0.01; int8 and QAT (against the QAT Keras model) mean <= 4 output
quantization steps (4/256); every variant's thresholded mask agrees on >= 98 % of pixels.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os

import numpy as np
import pytest

from tests.conftest import TEST_SCHEME

pytestmark = pytest.mark.slow  # trains and converts models (about 2 CPU-minutes in all)

VARIANTS = ("float32", "float16", "dynamic", "int8", "qat")
FAST = ["--qat-steps", "4", "--batch-size", "8", "--latency-runs", "3", "--finetune-frames", "16"]


def train_tiny(records: str, model_dir: str, kind: str = "mask", steps: int = 60) -> str:
    """A 4-8-16 U-Net fit briefly on the TRAIN records and saved as a MODEL_DIR (the trainer's contract)."""
    from export.data import sample_frames
    from export.qat import targets
    from lvseg.inference.encode import to_model_input
    from lvseg.tf_backend import keras
    from trainer.artifacts import save_trained
    from trainer.losses import loss_for
    from trainer.model import build_unet

    keras.utils.set_random_seed(0)
    frames = sample_frames(records, "TRAIN", None, heatmaps=kind == "landmarks")
    y = targets(kind, frames)
    model = build_unet(filters=(4, 8, 16), out_channels=y.shape[-1], dropout=0.0, name=f"tiny_{kind}")
    for layer in model.layers:  # a few steps must also settle BN's moving statistics
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = 0.5
    if steps:
        model.compile(keras.optimizers.Adam(1e-2), loss_for(kind))
        batch = 8
        model.fit(to_model_input(frames.images), y, batch_size=batch, verbose=0,
                  epochs=max(1, steps * batch // len(frames)))
    config = {"model": kind, "landmark_scheme": TEST_SCHEME, "num_landmarks": 12, "heatmap_sigma": 5.0,
              "preset": "tiny"}
    save_trained(model, config, model_dir)
    return model_dir


@pytest.fixture(scope="module")
def mask_model(records_root, tmp_path_factory) -> str:
    return train_tiny(records_root, str(tmp_path_factory.mktemp("tiny_mask")))


@pytest.fixture(scope="module")
def export_run(mask_model, records_root, tmp_path_factory) -> tuple[str, dict]:
    """(EXPORT_DIR, {variant: VariantResult}) of all five variants (gate relaxed: the model is tiny)."""
    from export.config import parse_args
    from export.pipeline import export_variants

    out = str(tmp_path_factory.mktemp("export"))
    config = parse_args(["--model", mask_model, "--records", records_root, "--out", out,
                         "--quantize", *VARIANTS, "--max-drop", "1.0", *FAST])
    results = export_variants(config)
    assert all(r.gate.passed for r in results)
    return out, {r.variant: r for r in results}


@pytest.fixture(scope="module")
def exported(export_run) -> str:
    return export_run[0]


def val_frames(records: str) -> tuple[np.ndarray, np.ndarray]:
    from lvseg.records import shards

    frames = list(shards.iter_frames(records, "VAL"))
    return np.stack([f["image"] for f in frames]), np.stack([f["mask"] for f in frames])


def pooled(kind: str, outputs: np.ndarray, masks: np.ndarray) -> float:
    """Dice recomputed here from raw outputs, independently of export.measure."""
    from lvseg.inference.decode import segment
    from lvseg.metrics.dice import overlap, pooled_dice

    return pooled_dice([overlap(segment(kind, o).mask, m) for o, m in zip(outputs, masks)])


def test_every_variant_is_written_with_its_card(exported):
    for variant in VARIANTS:
        assert os.path.exists(os.path.join(exported, f"{variant}.tflite"))
        assert os.path.exists(os.path.join(exported, f"{variant}.json"))
    assert not os.path.exists(os.path.join(exported, "rejected"))


@pytest.mark.parametrize("variant,max_abs,mean_abs", [
    ("float32", 1e-4, 1e-5), ("float16", 0.05, 2e-3), ("dynamic", None, 0.01), ("int8", None, 4 / 256)])
def test_litert_outputs_agree_with_keras(exported, mask_model, records_root, variant, max_abs, mean_abs):
    from lvseg.inference.runners import KerasRunner, TFLiteRunner

    images, _ = val_frames(records_root)
    expected = KerasRunner(mask_model).predict(images)
    actual = TFLiteRunner(os.path.join(exported, f"{variant}.tflite")).predict(images)
    assert actual.dtype == np.float32 and actual.shape == expected.shape == (len(images), 112, 112, 1)
    assert 0.0 <= actual.min() and actual.max() <= 1.0
    diff = np.abs(actual - expected)
    if max_abs is not None:
        assert diff.max() <= max_abs
    assert diff.mean() <= mean_abs
    assert ((actual > 0.5) == (expected > 0.5)).mean() >= 0.98


def test_card_fields_match_what_the_test_measures(exported, mask_model, records_root):
    from lvseg.inference.runners import KerasRunner, TFLiteRunner

    images, masks = val_frames(records_root)
    with open(os.path.join(mask_model, "model.keras"), "rb") as f:
        model_hash = hashlib.sha256(f.read()).hexdigest()
    keras_dice = pooled("mask", KerasRunner(mask_model).predict(images), masks)
    for variant in VARIANTS:
        path = os.path.join(exported, f"{variant}.json")
        with open(path) as f:
            card = json.load(f)
        tflite = os.path.join(exported, card["tflite_file"])
        for key in ("kind", "landmark_scheme", "quantization", "input", "output", "tflite_file", "notice",
                    "lvseg_version", "latency_ms", "validation", "source_model", "size_bytes"):
            assert key in card, key
        assert card["kind"] == "mask" and card["landmark_scheme"] is None
        assert card["quantization"]["method"] == variant
        assert card["size_bytes"] == os.path.getsize(tflite)
        assert card["source_model"]["sha256"] == model_hash
        assert card["source_model"]["parameters"] > 0
        assert card["input"]["shape"] == [1, 112, 112, 1] and card["input"]["normalization"] == "grey uint8 / 255.0"
        assert card["input"]["declutter"]["trained_share"] == [0.0, 0.0]  # trained on frames as recorded
        assert "lvseg.inference.decode" in card["output"]["decode"]
        assert card["validation"]["frames"] == len(images)
        assert card["validation"]["dice_keras"] == pytest.approx(keras_dice, abs=1e-9)
        tflite_dice = pooled("mask", TFLiteRunner(tflite).predict(images), masks)
        assert card["validation"]["dice_tflite"] == pytest.approx(tflite_dice, abs=1e-9)
        assert card["latency_ms"]["threads_1"] > 0 and card["latency_ms"]["threads_2"] > 0
        assert "not a medical device" in card["notice"]
        if variant in ("int8", "qat"):
            assert card["input"]["dtype"] == "int8" and card["output"]["dtype"] == "int8"
            assert 0 < card["input"]["scale"] < 0.01 and -128 <= card["input"]["zero_point"] <= 127
            assert card["output"]["scale"] == pytest.approx(1 / 256) and card["output"]["zero_point"] == -128
        else:
            assert card["input"]["dtype"] == "float32" and "scale" not in card["input"]
    assert json.load(open(os.path.join(exported, "int8.json")))["quantization"]["representative_frames"] == 16


def test_int8_variants_run_integer_only(exported):
    """Full-integer models keep no float tensors (a float fallback would cost latency on the device)."""
    from ai_edge_litert.interpreter import Interpreter

    for variant in ("int8", "qat"):
        interpreter = Interpreter(model_path=os.path.join(exported, f"{variant}.tflite"))
        dtypes = {np.dtype(t["dtype"]).name for t in interpreter.get_tensor_details()}
        assert dtypes <= {"int8", "int32"}, (variant, dtypes)


def test_segmenter_api(exported, records_root):
    from lvseg.inference.decode import Segmentation
    from lvseg.inference.runners import TFLiteRunner

    images, _ = val_frames(records_root)
    runner = TFLiteRunner(os.path.join(exported, "int8.json"), num_threads=2)  # via its card
    assert runner.kind == "mask" and runner.landmark_scheme is None
    seg = runner.segment_frame(images[0])
    assert isinstance(seg, Segmentation) and seg.mask.shape == (112, 112) and seg.mask.dtype == np.uint8
    video = runner.segment(images)
    assert len(video) == len(images)
    np.testing.assert_array_equal(video[0].mask, seg.mask)


def test_qat_litert_agrees_with_its_keras_model(export_run, records_root):
    """The QAT model's fake-quant Keras graph and its int8 flatbuffer compute the same thing."""
    from lvseg.inference.runners import KerasRunner, TFLiteRunner

    out, results = export_run
    qat = results["qat"]
    images, _ = val_frames(records_root)
    expected = KerasRunner.from_model(qat.keras_model, {"model": "mask"}).predict(images)
    actual = TFLiteRunner(qat.tflite_path).predict(images)
    assert np.abs(actual - expected).mean() <= 4 / 256
    assert ((actual > 0.5) == (expected > 0.5)).mean() >= 0.98


def test_gate_rejects_a_badly_calibrated_int8_model(mask_model, records_root, tmp_path, capsys):
    """All-black calibration frames give the input a near-zero range: every real frame saturates."""
    from export.config import GATE_FAILED, parse_args
    from export.pipeline import run

    out = str(tmp_path / "export")
    args = ["--model", mask_model, "--records", records_root, "--out", out, "--quantize", "int8", "--latency-runs", "2"]
    bad = np.zeros((8, 112, 112), np.uint8)
    assert run(parse_args(args + ["--max-drop", "1"]), representative=bad) == 0  # an earlier "shippable" file
    assert os.path.exists(os.path.join(out, "int8.tflite"))
    capsys.readouterr()
    config = parse_args(args)
    status = run(config, representative=bad)
    assert status == GATE_FAILED
    card = json.load(open(os.path.join(out, "rejected", "int8.json")))
    message = capsys.readouterr().err
    assert f"TFLite {card['validation']['dice_tflite']:.4f}" in message
    assert f"Keras {card['validation']['dice_keras']:.4f}" in message
    assert "threshold 0.01" in message
    assert card["validation"]["passed"] is False and card["validation"]["dice_keras"] > 0.5
    assert os.path.exists(os.path.join(out, "rejected", "int8.tflite"))
    assert glob.glob(os.path.join(out, "*.tflite")) == []


def test_landmark_model_card_and_segmenter(records_root, tmp_path):
    """Landmark models export with their scheme and sigma, and segment into landmarks through their card."""
    from lvseg.cli import main
    from lvseg.inference.runners import TFLiteRunner

    model_dir = train_tiny(records_root, str(tmp_path / "model"), kind="landmarks", steps=0)
    out = str(tmp_path / "export")
    assert main(["export", "--model", model_dir, "--records", records_root, "--out", out, "--quantize", "float32",
                 "--latency-runs", "2", "--max-drop", "1"]) == 0
    card = json.load(open(os.path.join(out, "float32.json")))
    assert card["kind"] == "landmarks" and card["landmark_scheme"] == TEST_SCHEME
    assert card["heatmap_sigma"] == 5.0 and card["output"]["shape"] == [1, 112, 112, 12]
    runner = TFLiteRunner(os.path.join(out, "float32.tflite"))
    images, _ = val_frames(records_root)
    seg = runner.segment_frame(images[0])
    assert runner.landmark_scheme == TEST_SCHEME and seg.landmarks.shape == (12, 2)


def test_pruning_reaches_its_target_and_survives_prune_preserving_qat(mask_model, records_root, tmp_path):
    """--prune 0.5 with qat: the card reports the sparsity reached, and the int8 kernels keep their zeros.

    The model's config.json says it was trained with the base band and an area term, so both fine-tunes run on
    (mask, band) targets with that loss, not the plain Dice + BCE."""
    import shutil

    from ai_edge_litert.interpreter import Interpreter

    from export.__main__ import main

    model = str(tmp_path / "model")
    shutil.copytree(mask_model, model)
    config_path = os.path.join(model, "config.json")
    trained = json.load(open(config_path)) | {"base_weight": 4.0, "base_band": 25.0, "area_weight": 1.0}
    json.dump(trained, open(config_path, "w"))
    out = str(tmp_path / "export")
    assert main(["--model", model, "--records", records_root, "--out", out, "--quantize", "qat",
                 "--prune", "0.5", "--prune-steps", "6", "--max-drop", "1", *FAST]) == 0
    card = json.load(open(os.path.join(out, "qat_pruned50.json")))
    assert card["quantization"]["pruning"]["achieved_kernel_sparsity"] == pytest.approx(0.5, abs=0.02)
    assert card["quantization"]["prune_preserving"] is True
    assert card["quantization"]["qat_loss"] == card["quantization"]["pruning"]["loss"] == "base_weighted_dice_bce_area"
    interpreter = Interpreter(model_path=os.path.join(out, card["tflite_file"]))
    kernels = [interpreter.get_tensor(t["index"]) for t in interpreter.get_tensor_details()
               if np.dtype(t["dtype"]) == np.int8 and len(t["shape"]) == 4 and t["shape"][0] > 1
               and t["shape"][1] in (1, 3)]  # constant OHWI conv kernels, not activations (batch 1)
    zeros = sum(int(np.count_nonzero(k == 0)) for k in kernels) / sum(k.size for k in kernels)
    assert zeros >= 0.45
