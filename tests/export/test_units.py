"""Fast checks of the export's parts that need no trained model: flags, gate, sampling, pruning schedule."""

from __future__ import annotations

import os

import numpy as np
import pytest


def test_help_lists_the_variants(capsys):
    from export.__main__ import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0 and "float16" in capsys.readouterr().out


def test_flags_and_defaults():
    from export.config import parse_args

    config = parse_args(["--model", "m", "--records", "r", "--out", "o", "--quantize", "int8", "qat"])
    assert config.quantize == ("int8", "qat") and config.max_drop == 0.01 and config.prune == 0.0
    assert config.representative_frames == 300


@pytest.mark.parametrize("argv", [
    ["--records", "r", "--out", "o"],
    ["--model", "m", "--records", "r", "--out", "o", "--quantize", "int4"],
    ["--model", "m", "--records", "r", "--out", "o", "--prune", "1.5"],
])
def test_bad_flags_are_one_line_errors(argv, capsys):
    from export.__main__ import main
    from lvseg.cli import run

    assert run("lvseg export", main, argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("lvseg export: error: ") and err.count("\n") == 1


@pytest.mark.parametrize("flags, message", [
    (["--prune", "1"], "--prune: must be at most 0.99, got 1"),
    (["--qat-steps", "0"], "--qat-steps: must be at least 1, got 0"),
    (["--prune-steps", "1"], "--prune-steps: must be at least 2, got 1"),
    (["--max-drop", "-0.5"], "--max-drop: must be at least 0, got -0.5"),
])
def test_field_limits_are_checked_while_parsing(flags, message):
    from export.config import parse_args
    from lvseg.flags import OptionError

    with pytest.raises(OptionError, match=message):
        parse_args(["--model", "m", "--records", "r", "--out", "o", *flags])


def test_gate_threshold_and_message():
    from export.gate import check

    assert check("int8", 0.90, 0.891).passed
    assert check("int8", 0.90, 0.89).passed  # exactly at the threshold
    failed = check("int8", 0.90, 0.85)
    assert not failed.passed and failed.drop == pytest.approx(0.05)
    assert "0.8500" in failed.message() and "0.9000" in failed.message() and "0.0100" in failed.message()
    assert check("qat", 0.80, 0.85).passed  # an improvement is never rejected


def test_gate_settle_moves_rejected_files_and_cleans_stale_ones(tmp_path):
    from export.gate import check, settle

    out = str(tmp_path)
    for ext in (".tflite", ".json"):
        open(os.path.join(out, "m" + ext), "w").close()
    tflite, card = settle(check("int8", 0.9, 0.5), out, "m")
    assert tflite == os.path.join(out, "rejected", "m.tflite") and os.path.exists(card)
    assert not os.path.exists(os.path.join(out, "m.tflite"))
    for ext in (".tflite", ".json"):  # a later run of the same name passes
        open(os.path.join(out, "m" + ext), "w").close()
    tflite, _ = settle(check("int8", 0.9, 0.9), out, "m")
    assert tflite == os.path.join(out, "m.tflite") and not os.path.exists(os.path.join(out, "rejected", "m.tflite"))


def test_sample_frames_is_seeded_and_bounded(records_root):
    from export.data import sample_frames

    everything = sample_frames(records_root, "TRAIN", None)
    a = sample_frames(records_root, "TRAIN", 5, seed=1)
    b = sample_frames(records_root, "TRAIN", 5, seed=1)
    c = sample_frames(records_root, "TRAIN", 5, seed=2)
    assert len(a) == 5 and a.images.dtype == np.uint8 and a.images.shape[1:] == (112, 112)
    np.testing.assert_array_equal(a.images, b.images)
    assert not np.array_equal(a.images, c.images)
    assert len(everything) > 5 and everything.heatmaps is None
    assert sample_frames(records_root, "VAL", None, heatmaps=True).heatmaps.shape[-1] == 12


def test_finetune_frames_carry_the_trainers_base_band(records_root):
    """With a band depth, each frame's band is lvseg.geometry.base's rule on its own record, and the mask target
    becomes (mask, band): what a model trained with --base-weight is fine-tuned on."""
    from export.data import sample_frames
    from export.qat import stored_targets
    from lvseg.geometry.base import base_band
    from lvseg.records.shards import iter_frames

    frames = sample_frames(records_root, "TRAIN", None, band_depth=25.0)
    expected = [base_band(r["base"], r["mask"], 25.0) for r in iter_frames(records_root, "TRAIN")]
    np.testing.assert_array_equal(frames.bands, np.stack(expected).astype(np.uint8))
    assert frames.bands.sum() > 0 and not (frames.bands & frames.masks).any()
    stored, divisor = stored_targets("mask", frames)
    assert stored.shape == (*frames.masks.shape, 2) and divisor == 1.0
    np.testing.assert_array_equal(stored[..., 1], frames.bands)
    assert sample_frames(records_root, "TRAIN", 3).bands is None
    assert stored_targets("mask", sample_frames(records_root, "TRAIN", 3))[0].shape[-1] == 1


def test_frames_of_a_model_trained_on_decluttered_frames_lose_their_floor_share(records_root):
    from export.data import sample_frames
    from lvseg.inference.declutter import declutter
    from lvseg.records import shards

    records = list(shards.iter_frames(records_root, "VAL"))
    frames = sample_frames(records_root, "VAL", None, declutter=0.5)
    expected = [declutter(r["image"], r["clutter_floor"], 0.5) for r in records]
    np.testing.assert_array_equal(frames.images, np.stack(expected))
    assert (frames.images < sample_frames(records_root, "VAL", None).images).any()
    np.testing.assert_array_equal(frames.masks, np.stack([r["mask"] for r in records]))


@pytest.mark.parametrize("steps", [2, 7, 10, 200, 333])
def test_pruning_schedule_reaches_the_target_within_the_run(steps):
    from export.qat import pruning_schedule

    schedule = pruning_schedule(0.6, steps)
    config = schedule.get_config()["config"]
    end, frequency = config["end_step"], config["frequency"]
    assert end < steps and end % frequency == 0  # the last pruning step lands on the grid, inside the run
    should_prune, sparsity = schedule(end)
    assert bool(should_prune) and float(sparsity) == pytest.approx(0.6)


def test_pqat_rejects_transposed_convolutions():
    from export.config import ExportError
    from export.qat import check_pqat_supported
    from trainer.model import build_unet

    check_pqat_supported(build_unet(filters=(4, 8), upsampling="bilinear"))
    with pytest.raises(ExportError, match="Conv2DTranspose"):
        check_pqat_supported(build_unet(filters=(4, 8), upsampling="transpose"))


def test_tflite_segmenter_quantizes_int8_input_exactly(tmp_path):
    """uint8 -> int8 through the input's scale/zero point, and int8 output -> [0, 1]."""
    from export.convert import to_tflite
    from lvseg.inference.runners import TFLiteRunner
    from trainer.model import build_unet

    calibration = np.tile(np.arange(112, dtype=np.uint8)[None, :] * 2, (4, 112, 1))  # 0..222 gradient
    calibration[0, 0, 0] = 255  # the full uint8 range: scale 1/255, zero point -128
    path = str(tmp_path / "m.tflite")
    with open(path, "wb") as f:
        f.write(to_tflite(build_unet(filters=(4, 8)), "int8", calibration))
    runner = TFLiteRunner(path)
    scale, zero_point = runner.input_details["quantization"]
    assert scale == pytest.approx(1 / 255, rel=1e-3) and zero_point == -128
    frames = np.array([[[0, 128, 255]]], np.uint8)
    np.testing.assert_array_equal(runner.quantize_input(frames)[..., 0], [[[-128, 0, 127]]])
    out = runner.predict(np.zeros((2, 112, 112), np.uint8))
    assert out.dtype == np.float32 and out.shape == (2, 112, 112, 1) and 0 <= out.min() <= out.max() <= 1


def test_model_and_export_dir_must_be_local_paths():
    import pytest

    from export.config import parse_args
    from lvseg.flags import OptionError

    for flag in ("--model", "--out"):
        argv = {"--model": "m", "--records": "gs://b/records", "--out": "o"}
        argv[flag] = "gs://b/x"
        with pytest.raises(OptionError, match=f"argument {flag}: must be a local path"):
            parse_args([a for pair in argv.items() for a in pair])
    assert parse_args(["--model", "m", "--records", "gs://b/records", "--out", "o"]).records == "gs://b/records"


def test_the_card_says_how_the_training_frames_lost_their_clutter():
    from export.card import declutter_fields

    assert declutter_fields({"model": "mask", "declutter": 1.0})["trained_share"] == [0.0, 1.0]
    assert declutter_fields({"model": "mask", "declutter": 1.0})["validation_share"] == 0.5
    assert declutter_fields({"model": "mask"})["trained_share"] == [0.0, 0.0]  # a config.json before the flag
