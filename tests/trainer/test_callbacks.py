"""trainer.callbacks: the run's history survives a restart, the best weights are the best, files are atomic."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from lvseg.tf_backend import keras
from trainer.callbacks import BestWeights, HistoryRecorder, load_best, load_progress, write_json


def test_history_after_a_restart_replaces_the_epochs_run_again(tmp_path):
    path = str(tmp_path / "progress.json")
    first = HistoryRecorder(path, start_epoch=0)
    first.on_train_begin()
    for epoch, loss in enumerate([0.9, 0.8, 0.7]):
        first.on_epoch_end(epoch, {"loss": loss})
    # killed after epoch 3 was logged but before its backup: the restart resumes after epoch 2
    second = HistoryRecorder(path, start_epoch=2)
    second.on_train_begin()
    second.on_epoch_end(2, {"loss": 0.65, "val_dice": float("nan")})
    assert [(e["epoch"], e["loss"]) for e in load_progress(path, 10)] == [(1, 0.9), (2, 0.8), (3, 0.65)]
    assert load_progress(path, 10)[-1]["val_dice"] is None  # NaN is stored as null


def test_best_weights_keep_the_best_epoch_only(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    keeper = BestWeights(str(tmp_path / "best"))
    keeper.set_model(model)
    keeper.on_train_begin()
    for epoch, dice in enumerate([0.5, 0.7, 0.6]):
        model.layers[0].kernel.assign(np.full((2, 1), epoch, np.float32))
        keeper.on_epoch_end(epoch, {"val_dice": dice})
    assert load_best(str(tmp_path / "best")) == {"epoch": 2, "monitor": "val_dice", "value": 0.7}
    model.load_weights(str(tmp_path / "best" / "best.weights.h5"))
    assert float(model.layers[0].kernel.numpy()[0, 0]) == 1.0


def test_write_json_leaves_no_temporary_file(tmp_path):
    path = str(tmp_path / "a" / "b.json")
    write_json(path, {"x": 1})
    assert json.load(open(path)) == {"x": 1} and os.listdir(tmp_path / "a") == ["b.json"]


def test_the_cosine_schedule_runs_from_the_base_rate_to_its_floor():
    from trainer.callbacks import cosine_rate, rate_schedule

    rates = [cosine_rate(1e-3, epoch, 20) for epoch in range(20)]
    assert rates[0] == pytest.approx(1e-3) and rates[-1] == pytest.approx(2e-5)
    assert all(a > b for a, b in zip(rates, rates[1:]))
    assert rates[10] == pytest.approx(1e-3 * (0.02 + 0.98 * 0.5 * (1 + np.cos(np.pi * 10 / 19))))
    assert rate_schedule("constant", 1e-3, 20) is None
