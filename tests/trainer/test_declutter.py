"""trainer.declutter: TRAIN frames lose a drawn share of their clutter floor, VAL frames half the most, in TF ops
equal to lvseg.inference.declutter's rule; a model trained so records it, and old records are refused."""

from __future__ import annotations

import dataclasses
import json
import os

import numpy as np
import pytest

from lvseg.inference.declutter import declutter
from lvseg.records import shards
from trainer.config import TrainConfig, val_share
from trainer.data import steps_per_epoch, train_dataset, val_dataset
from trainer.declutter import declutter_tf
from trainer.record_roots import read_records_info


def by_mask(records_root: str, split: str) -> dict[bytes, dict]:
    """The split's records keyed by their mask (unchanged without augmentation): a batch image's record."""
    return {record["mask"].tobytes(): record for record in shards.iter_frames(records_root, split)}


def test_the_tf_rule_equals_the_analysis_rule():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (3, 16, 16), dtype=np.uint8)
    floors = (rng.random((3, 16, 16)) * 300).astype(np.float32)  # over 255: some pixels clip at 0
    shares = np.array([0.0, 0.37, 1.0], np.float32)
    out = np.asarray(declutter_tf(images, floors, shares))
    for image, floor, share, got in zip(images, floors, shares, out):
        np.testing.assert_array_equal(got, declutter(image, floor, float(share)))
    assert (out[2] == 0).any() and np.array_equal(out[0], images[0])


def test_train_frames_lose_a_drawn_share_and_val_frames_half_the_most(records_root):
    info = read_records_info(records_root)
    assert info.has_floor
    config = TrainConfig(model="mask", records=records_root, epochs=1, batch_size=4, augment=False, declutter=0.8)
    records = by_mask(records_root, "TRAIN")
    shares = []
    for images, targets in train_dataset(config, info, 0, steps_per_epoch(config, info, 4), 4):
        for image, target in zip(images.numpy(), targets.numpy()):
            record = records[target[..., 0].astype(np.uint8).tobytes()]
            raw, floor = record["image"], record["clutter_floor"]
            seen = np.rint(image[..., 0] * 255).astype(np.uint8)
            # seen = trunc(raw - share * floor), clipped at 0: each pixel bounds the share
            lost, f = raw.astype(np.float64) - seen, floor.astype(np.float64)
            lit, dark = (f > 0) & (seen > 0), (f > 0) & (seen == 0)
            low = max(((lost[lit] - 1) / f[lit]).max(), ((raw[dark] - 1.0) / f[dark]).max(initial=0.0), 0.0)
            high = (lost[lit] / f[lit]).min()
            assert low <= high + 1e-6 and high >= 0 and low <= 0.8 + 1e-6
            assert np.abs(declutter(raw, floor, (low + high) / 2).astype(int) - seen).max() <= 1
            shares.append((low + high) / 2)
    assert len(shares) == info.train_frames and np.std(shares) > 0.1  # a share of its own per frame

    val = by_mask(records_root, "VAL")
    seen_val = 0
    for images, targets in val_dataset(config, info, 4):
        for image, target in zip(images.numpy(), targets.numpy()):
            record = val[target[..., 0].astype(np.uint8).tobytes()]
            expected = declutter(record["image"], record["clutter_floor"], val_share(0.8))
            np.testing.assert_array_equal(np.rint(image[..., 0] * 255).astype(np.uint8), expected)
            seen_val += 1
    assert seen_val == info.val_frames > 0


def test_a_model_trained_on_decluttered_frames_records_it(records_root, tmp_path):
    from tests.trainer.test_task import TINY, rescored_val_dice, run_main

    out = str(tmp_path / "decluttered")
    run_main(["--model", "mask", "--records", records_root, "--out", out, "--epochs", "2", "--declutter", "1",
              *TINY])
    with open(os.path.join(out, "config.json")) as f:
        config = json.load(f)
    assert config["declutter"] == 1.0
    # val_dice was scored on VAL frames at half the share, as the export and a rescoring see them
    assert rescored_val_dice(out, records_root) == pytest.approx(config["best_val_dice"], abs=2e-3)


def test_by_default_the_mask_model_learns_from_decluttered_frames_and_the_landmark_model_does_not(records_root,
                                                                                                   tmp_path):
    from tests.trainer.test_task import TINY, run_main
    from trainer.config import DEFAULT_DECLUTTER, max_declutter

    assert (max_declutter(TrainConfig(model="mask")), max_declutter(TrainConfig(model="landmarks"))) == (1.0, 0.0)
    assert max_declutter(TrainConfig(model="landmarks", declutter=0.7)) == 0.7
    out = str(tmp_path / "landmarks")
    run_main(["--model", "landmarks", "--records", records_root, "--out", out, "--epochs", "1", *TINY])
    with open(os.path.join(out, "config.json")) as f:
        assert json.load(f)["declutter"] == DEFAULT_DECLUTTER["landmarks"] == 0.0


def test_records_without_floors_are_refused(records_root, tmp_path, monkeypatch):
    from lvseg.records.shards import RecordsError
    from trainer import task

    real = task.read_records_info
    monkeypatch.setattr(task, "read_records_info", lambda *a: dataclasses.replace(real(*a), has_floor=False))
    config = TrainConfig(model="mask", records=records_root, out=str(tmp_path / "m"), epochs=1, declutter=0.5)
    with pytest.raises(RecordsError, match="schema version 3"):
        task.train(config)
