"""End to end: `trainer.task.main(argv)` on tiny synthetic records, resumption after a kill, the input stream."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from lvseg.flags import OptionError
from lvseg.inference.decode import segment
from lvseg.inference.encode import to_model_input
from lvseg.inference.model_dir import load_trained
from lvseg.metrics.dice import overlap, pooled_dice
from tests.conftest import REPO_ROOT
from trainer.callbacks import cosine_rate
from trainer.config import TrainConfig, val_share
from trainer.data import load_split, steps_per_epoch, train_dataset
from trainer.record_roots import read_records_info

ROOT = str(REPO_ROOT)
TINY = ["--filters", "4", "8", "16", "--batch-size", "4", "--steps-per-epoch", "3", "--verbose", "0"]


def run_main(argv: list[str]) -> None:
    from trainer import task

    assert task.main(argv) == 0


def history(model_dir: str) -> dict:
    with open(os.path.join(model_dir, "history.json")) as f:
        return json.load(f)


def rescored_val_dice(model_dir: str, records: str) -> float:
    """val_dice recomputed the way evaluation does: load MODEL_DIR, predict VAL (its images less the share of their
    clutter floors that config.json says VAL lost), lvseg.inference.decode.segment."""
    model, config = load_trained(model_dir)
    val = load_split(records, "VAL", config["num_landmarks"], declutter=val_share(config["declutter"]))
    outputs = model.predict(to_model_input(val["image"]), verbose=0)
    return pooled_dice([overlap(segment(config["model"], out).mask, mask) for out, mask in zip(outputs, val["mask"])])


@pytest.mark.parametrize("kind", ["mask", "landmarks"])
def test_training_writes_the_model_dir_contract(kind, records_root, tmp_path):
    out = str(tmp_path / kind)
    run_main(["--model", kind, "--records", records_root, "--out", out, "--epochs", "2", *TINY])
    for name in ("model.keras", "config.json", "history.json", "training_curves.png"):
        assert os.path.getsize(os.path.join(out, name)) > 0, name
    assert os.listdir(os.path.join(out, "logs", "validation"))  # TensorBoard event files
    assert not os.path.exists(os.path.join(out, "backup"))  # the backup is removed after success
    model, config = load_trained(out)
    for key in ("model", "landmark_scheme", "num_landmarks", "heatmap_sigma", "preset", "input"):
        assert key in config
    assert (config["model"], config["landmark_scheme"], config["num_landmarks"]) == (kind, "contour12", 12)
    assert config["filters"] == [4, 8, 16] and config["params"] == model.count_params()
    assert model.output_shape[-1] == (1 if kind == "mask" else 12)
    hist = history(out)
    assert hist["epoch"] == [1, 2]
    assert {"loss", "val_loss", "val_dice", "epoch_time_s"} <= set(hist)
    if kind == "landmarks":
        assert "val_landmark_error_px" in hist
    # model.keras holds the best epoch's weights, and the trainer scored them exactly like evaluation
    assert config["best_val_dice"] == pytest.approx(max(hist["val_dice"]))
    assert rescored_val_dice(out, records_root) == pytest.approx(config["best_val_dice"], abs=2e-3)


def test_base_weighted_training_records_its_loss_and_scores_the_mask_channel(records_root, tmp_path):
    out = str(tmp_path / "banded")
    run_main(["--model", "mask", "--records", records_root, "--out", out, "--epochs", "2", "--base-weight", "4",
              *TINY])
    _, config = load_trained(out)
    assert (config["base_weight"], config["base_band"]) == (4.0, 25.0)
    assert config["trained_loss"] == "dice + bce, base band weight 1 + 4"
    assert rescored_val_dice(out, records_root) == pytest.approx(config["best_val_dice"], abs=2e-3)


def test_the_dice_metric_of_a_banded_target_reads_the_mask_channel_only():
    from trainer.keras_metrics import PooledDice
    from trainer.task import MaskChannelDice

    rng = np.random.default_rng(3)
    mask = (rng.random((2, 8, 8, 1)) > 0.5).astype(np.float32)
    band = (rng.random((2, 8, 8, 1)) > 0.5).astype(np.float32) * (1 - mask)
    prob = rng.random((2, 8, 8, 1)).astype(np.float32)
    banded, plain = MaskChannelDice(), PooledDice()
    banded.update_state(np.concatenate([mask, band], axis=-1), prob)
    plain.update_state(mask, prob)
    assert float(banded.result()) == pytest.approx(float(plain.result())) and 0.2 < float(plain.result()) < 0.8


def test_a_killed_job_resumes_from_its_backup(records_root, tmp_path):
    out = str(tmp_path / "model")
    argv = ["--model", "mask", "--records", records_root, "--out", out, "--epochs", "3", "--lr-schedule", "cosine",
            *TINY]
    env = {**os.environ, "PYTHONPATH": ROOT}
    killed = subprocess.run([sys.executable, "-m", "tests.trainer.preempt", "1", *argv], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr[-2000:]
    with open(os.path.join(out, "backup", "progress.json")) as f:
        before = json.load(f)
    assert [e["epoch"] for e in before] == [1]
    assert os.path.isdir(os.path.join(out, "backup", "chief"))
    assert not os.path.exists(os.path.join(out, "model.keras"))

    run_main(argv)  # the same command again
    hist = history(out)
    assert hist["epoch"] == [1, 2, 3]
    assert hist["loss"][0] == pytest.approx(before[0]["loss"])  # epoch 1 comes from the killed run
    # the resumed run continues the learning-rate schedule where the killed one stopped
    assert hist["lr"] == pytest.approx([cosine_rate(1e-3, epoch, 3) for epoch in range(3)], rel=1e-5)
    with open(os.path.join(out, "config.json")) as f:
        assert json.load(f)["epochs_completed"] == 3


def test_training_under_a_mirrored_strategy(records_root, tmp_path):
    """The distributed input path (distribute_datasets_from_function) on a one-CPU MirroredStrategy."""
    out = str(tmp_path / "mirrored")
    run_main(["--model", "mask", "--records", records_root, "--out", out, "--epochs", "1", "--strategy",
              "mirrored", *TINY])
    with open(os.path.join(out, "config.json")) as f:
        assert json.load(f)["strategy"] == "mirrored"


def test_records_define_the_scheme(records_root, tmp_path):
    info = read_records_info(records_root)
    assert (info.scheme, info.num_landmarks, info.sigma) == ("contour12", 12, 5.0)
    assert info.train_frames > 0 and info.val_frames > 0
    assert info.has_base  # records of this version carry the base line the mask loss weighs
    with pytest.raises(OptionError, match="contour12"):
        run_main(["--model", "landmarks", "--records", records_root, "--out", str(tmp_path / "x"),
                  "--landmark-scheme", "contour16", *TINY])


def test_the_input_stream_of_an_epoch_depends_only_on_seed_and_epoch(records_root):
    config = TrainConfig(model="landmarks", records=records_root, epochs=3, batch_size=4)
    info = read_records_info(records_root)
    steps = steps_per_epoch(config, info, 4)
    full = [(x.numpy(), y.numpy()) for x, y in train_dataset(config, info, 0, steps, 4)]
    resumed = [(x.numpy(), y.numpy()) for x, y in train_dataset(config, info, 1, steps, 4)]
    assert len(full) == 3 * steps and len(resumed) == 2 * steps
    for (xa, ya), (xb, yb) in zip(full[steps:], resumed):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(full[0][0], full[steps][0])  # epochs differ from each other
    assert full[0][0].shape == (4, 112, 112, 1) and full[0][1].shape == (4, 112, 112, 12)
    assert 0.0 <= full[0][0].min() and full[0][0].max() <= 1.0


def test_each_epoch_is_a_permutation_of_train(records_root):
    config = TrainConfig(model="mask", records=records_root, epochs=2, batch_size=4, augment=False, declutter=0.0)
    info = read_records_info(records_root)
    steps = steps_per_epoch(config, info, 4)
    assert steps * 4 == info.train_frames  # the fixture's TRAIN split is a multiple of 4
    train = load_split(records_root, "TRAIN", info.num_landmarks)
    expected = sorted(image.tobytes() for image in train["image"])
    images = [x.numpy() for x, _ in train_dataset(config, info, 0, steps, 4)]
    for epoch in range(2):
        seen = np.concatenate(images[epoch * steps:(epoch + 1) * steps])
        assert sorted(np.rint(image[..., 0] * 255).astype(np.uint8).tobytes() for image in seen) == expected
    assert not np.array_equal(images[0], images[steps])  # a different order each epoch


def test_extra_train_records_join_every_epoch(records_root, faulty_root, synthetic_root, tmp_path):
    """--extra-train-records: each epoch is a permutation of both roots' TRAIN frames; VAL stays the main root's;
    a root of another landmark scheme, or one named twice, is refused."""
    from lvseg.records.shards import RecordsError
    from tests.conftest import write_records

    extra = write_records(faulty_root, str(tmp_path / "extra"))
    main_info, extra_info = read_records_info(records_root), read_records_info(extra)
    info = read_records_info(records_root, (extra,))
    assert extra_info.train_frames > 0 and info.train_frames == main_info.train_frames + extra_info.train_frames
    assert info.val_frames == main_info.val_frames
    config = TrainConfig(model="mask", records=records_root, extra_train_records=(extra,), epochs=1, batch_size=1,
                         augment=False, declutter=0.0)
    steps = steps_per_epoch(config, info, 1)
    seen = [x.numpy() for x, _ in train_dataset(config, info, 0, steps, 1)]
    expected = [image for root in (records_root, extra) for image in load_split(root, "TRAIN", 12)["image"]]
    assert sorted(np.rint(x[0, ..., 0] * 255).astype(np.uint8).tobytes() for x in seen) == \
        sorted(image.tobytes() for image in expected)

    with pytest.raises(RecordsError, match="contour16"):
        read_records_info(records_root, (write_records(synthetic_root, str(tmp_path / "c16"), scheme="contour16"),))
    with pytest.raises(RecordsError, match="twice"):
        read_records_info(records_root, (records_root + "/",))
    out = str(tmp_path / "model")
    run_main(["--model", "mask", "--records", records_root, "--extra-train-records", extra, "--out", out,
              "--epochs", "1", *TINY])
    with open(os.path.join(out, "config.json")) as f:
        assert json.load(f)["extra_train_records"] == [extra]


def test_warped_and_rendered_heatmap_targets_agree_without_augmentation(records_root):
    info = read_records_info(records_root)
    targets = {}
    for mode in ("render", "warp"):
        config = TrainConfig(model="landmarks", records=records_root, epochs=1, batch_size=4, augment=False,
                             heatmap_targets=mode)
        targets[mode] = next(iter(train_dataset(config, info, 0, 1, 4)))[1].numpy()
    assert np.abs(targets["render"] - targets["warp"]).max() <= 1.0 / 255.0 + 1e-6
