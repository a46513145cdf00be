"""``python -m trainer.task`` / ``lvseg train``: train the mask or landmark U-Net from frame records.

One run: read the records' landmark scheme and sizes, pick the distribution strategy, build and compile
the U-Net, fit with per-epoch validation Dice, then write MODEL_DIR (trainer.artifacts contract:
model.keras with the best-val_dice weights, config.json) plus history.json and training_curves.png.

Preemption: tf_keras BackupAndRestore backs up weights, optimizer and epoch to CHECKPOINT_DIR/chief
after every epoch; the per-epoch history (CHECKPOINT_DIR/progress.json) and the best weights
(CHECKPOINT_DIR/best/) live beside it. Re-running the same command resumes after the last backed-up
epoch with the same data stream (trainer.data seeds every epoch by its number). On success the backup
is deleted.

Determinism: weights, shuffling and augmentation are seeded by --seed; reads are interleaved in a fixed
order. Still nondeterministic: GPU kernels (cuDNN, atomics) unless --deterministic, cross-replica
reduction order under multi-GPU / multi-worker strategies, and the dropout random stream after a resume
(the Keras RNG state is not part of the backup), so a resumed run is close to, not bit-identical with,
an uninterrupted one.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass

from lvseg import flags
from lvseg.frame import FRAME_SHAPE
from lvseg.records.shards import NO_FLOOR, RecordsError
from lvseg.tf_backend import keras, tf
from trainer import artifacts
from trainer.callbacks import (BestWeights, EpochLogger, EpochSummaries, HistoryRecorder, LandmarkValidation,
                               load_best, load_progress, rate_schedule, write_json)
from trainer.config import (RunDirs, TrainConfig, max_declutter, parse_args, recorded_options, resolve_paths,
                            run_dirs, val_share)
from trainer.curves import plot_history
from trainer.data import load_split, steps_per_epoch, train_dataset, val_dataset
from trainer.record_roots import RecordsInfo, read_records_info
from trainer.keras_metrics import PooledDice
from trainer.losses import loss_for, loss_name, uses_base_band
from trainer.model import build_preset, model_size, prior_logit
from trainer.presets import PRESETS
from trainer.strategy import choose_strategy_kind, is_chief, make_strategy

HISTORY_FILE = "history.json"
CURVES_FILE = "training_curves.png"
PROGRESS_FILE = "progress.json"
MASK_PRIOR = 0.1
_EPOCH_KEY = "ckpt_saved_epoch/.ATTRIBUTES/VARIABLE_VALUE"


def backed_up_epochs(backup_dir: str) -> int:
    """Epochs completed according to the Keras backup in ``backup_dir`` (0 when there is none)."""
    latest = tf.train.latest_checkpoint(os.path.join(backup_dir, "chief"))
    if not latest:
        return 0
    return max(0, int(tf.train.load_checkpoint(latest).get_tensor(_EPOCH_KEY)) + 1)


def build_model(config: TrainConfig, info: RecordsInfo) -> keras.Model:
    """The U-Net for ``config``: 1 mask channel, or one heatmap per landmark of the records' scheme."""
    channels = 1 if config.model == "mask" else info.num_landmarks
    bias = prior_logit(output_prior(config.model, info.sigma)) if config.output_prior else 0.0
    return build_preset(config.preset, channels, config.dropout, config.filters, output_bias=bias)


def output_prior(model_kind: str, sigma: float) -> float:
    """Mean target value: the LV's share of a frame (about 0.1), or a Gaussian's mean over the frame."""
    return MASK_PRIOR if model_kind == "mask" else 2.0 * math.pi * sigma**2 / (FRAME_SHAPE[0] * FRAME_SHAPE[1])


class MaskChannelDice(PooledDice):
    """PooledDice on the mask channel of a (mask, base band) target (trainer.data with --base-weight)."""

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(y_true[..., :1], y_pred, sample_weight)


def compile_model(model: keras.Model, config: TrainConfig) -> None:
    banded = uses_base_band(config.model, config.base_weight)
    metrics = [MaskChannelDice() if banded else PooledDice()] if config.model == "mask" else []
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate),
                  loss=loss_for(config.model, config.loss, config.base_weight, config.area_weight,
                                config.dice_weight), metrics=metrics)


def effective_config(config: TrainConfig, info: RecordsInfo, model: keras.Model, extra: dict) -> dict:
    """config.json: the flags' effective values plus the artifacts contract keys and run facts."""
    preset = PRESETS[config.preset]
    return {**recorded_options(config), "landmark_scheme": info.scheme, "num_landmarks": info.num_landmarks,
            "heatmap_sigma": info.sigma, "filters": list(config.filters or preset["filters"]),
            "dropout": preset["dropout"] if config.dropout is None else config.dropout,
            "declutter": max_declutter(config),
            "train_frames": info.train_frames, "val_frames": info.val_frames,
            "trained_loss": loss_name(config.model, config.loss, config.base_weight, config.area_weight,
                                      config.dice_weight),
            **model_size(model), **extra}


def history_lists(entries: list[dict]) -> dict[str, list]:
    """[{epoch, metric: value}] -> {metric: [values by epoch]} (None where an epoch lacks a metric)."""
    keys = sorted({k for e in entries for k in e})
    return {k: [e.get(k) for e in entries] for k in keys}


@dataclass(frozen=True)
class RunPaths:
    """Where a run keeps its state; non-chief workers keep theirs in a scratch folder."""

    backup: str         # tf_keras BackupAndRestore (writes backup/chief)
    progress: str       # per-epoch history so far (JSON)
    best: str           # best val_dice weights + best.json
    tensorboard: str
    scratch: str | None = None


def run_paths(dirs: RunDirs, chief: bool) -> RunPaths:
    if chief:
        return RunPaths(dirs.checkpoint, os.path.join(dirs.checkpoint, PROGRESS_FILE),
                        os.path.join(dirs.checkpoint, "best"), dirs.tensorboard)
    scratch = tempfile.mkdtemp(prefix="lvseg-worker-")
    return RunPaths(dirs.checkpoint, os.path.join(scratch, PROGRESS_FILE), os.path.join(scratch, "best"),
                    os.path.join(scratch, "logs"), scratch)


def make_callbacks(config: TrainConfig, info: RecordsInfo, paths: RunPaths, start_epoch: int,
                   images_per_epoch: int) -> list[keras.callbacks.Callback]:
    """The callbacks in the order they must run (see trainer.callbacks)."""
    callbacks: list[keras.callbacks.Callback] = []
    schedule = rate_schedule(config.lr_schedule, config.learning_rate, config.epochs)
    if schedule is not None:
        callbacks.append(schedule)
    if config.model == "landmarks" and info.val_frames:
        val = load_split(config.records, "VAL", info.num_landmarks, config.max_val_frames,
                         val_share(max_declutter(config)))
        callbacks.append(LandmarkValidation(val, batch_size=64))
    callbacks += [EpochLogger(config.epochs, images_per_epoch, config.verbose),
                  HistoryRecorder(paths.progress, start_epoch),
                  BestWeights(paths.best, "val_dice", resume=start_epoch > 0),
                  EpochSummaries(paths.tensorboard),
                  keras.callbacks.BackupAndRestore(paths.backup)]
    return callbacks


def train(config: TrainConfig, env: dict | None = None) -> dict:
    """Run one (possibly resumed) training job; returns the written config dict."""
    flags.check_limits(config)  # a config built in code meets the flags' rules (--seed's range keys the data)
    env = dict(os.environ if env is None else env)
    dirs = run_dirs(config, env)
    artifacts.check_owned(dirs.out)
    keras.utils.set_random_seed(config.seed)
    if config.deterministic:
        tf.config.experimental.enable_op_determinism()
    gpus = tf.config.list_physical_devices("GPU")
    kind = choose_strategy_kind(env, len(gpus)) if config.strategy == "auto" else config.strategy
    mixed = bool(config.mixed_precision and gpus)
    if config.mixed_precision and not gpus:
        print("mixed precision needs a GPU: training in float32", flush=True)
    keras.mixed_precision.set_global_policy("mixed_float16" if mixed else "float32")
    strategy = make_strategy(kind, env)  # before any other TF op: collectives are configured at startup
    chief = is_chief(env)
    paths = run_paths(dirs, chief)
    info = read_records_info(config.records, config.extra_train_records)
    if config.landmark_scheme and config.landmark_scheme != info.scheme:
        raise flags.OptionError(f"records use {info.scheme!r}, not --landmark-scheme {config.landmark_scheme!r}")
    if config.model == "mask" and config.base_weight and not info.has_base:
        print("lvseg train: these records carry no base line (written before schema version 2): --base-weight "
              "has no effect; run lvseg preprocess again to use it", flush=True)
    declutter = max_declutter(config)
    if declutter and not info.has_floor:
        raise RecordsError(f"training the {config.model} model with --declutter {declutter:g}: "
                           f"{NO_FLOOR}, or pass --declutter 0")

    start_epoch = min(backed_up_epochs(paths.backup), config.epochs)
    if start_epoch == 0 and chief:  # a fresh run: forget state left by an earlier, finished or other run
        shutil.rmtree(paths.best, ignore_errors=True)
        if os.path.exists(paths.progress):
            os.remove(paths.progress)
    global_batch = config.batch_size * strategy.num_replicas_in_sync
    steps = steps_per_epoch(config, info, global_batch)

    with strategy.scope():
        model = build_model(config, info)
        compile_model(model, config)
    size = model_size(model)
    if config.verbose:
        print(f"lvseg train: {config.model} U-Net '{config.preset}' {size['params']:,} parameters, "
              f"{size['flops'] / 1e9:.3f} GFLOP/frame; records {info.scheme} (K={info.num_landmarks}, "
              f"sigma {info.sigma}), {info.train_frames} TRAIN / {info.val_frames} VAL frames; strategy {kind} "
              f"x{strategy.num_replicas_in_sync}, global batch {global_batch}, {steps} steps/epoch"
              + (f"; resuming after epoch {start_epoch}" if start_epoch else ""), flush=True)

    if strategy.num_replicas_in_sync > 1 or kind == "multi_worker":
        train_data = strategy.distribute_datasets_from_function(
            lambda ctx: train_dataset(config, info, start_epoch, steps, global_batch, ctx))
    else:
        train_data = train_dataset(config, info, start_epoch, steps, global_batch)
    val_data = val_dataset(config, info, global_batch) if info.val_frames else None

    callbacks = make_callbacks(config, info, paths, start_epoch, steps * global_batch)
    if start_epoch < config.epochs:
        model.fit(train_data, epochs=config.epochs, steps_per_epoch=steps, validation_data=val_data,
                  callbacks=callbacks, verbose=1 if config.verbose >= 2 else 0)
    if paths.scratch is not None:  # a non-chief worker: its state was scratch
        shutil.rmtree(paths.scratch, ignore_errors=True)
        return {}
    return finalize(config, info, model, paths, dirs.out,
                    {"strategy": kind, "replicas": strategy.num_replicas_in_sync, "mixed_precision": mixed,
                     "steps_per_epoch": steps, "global_batch_size": global_batch})


def finalize(config: TrainConfig, info: RecordsInfo, model: keras.Model, paths: RunPaths, out: str,
             extra: dict) -> dict:
    """Write MODEL_DIR: model.keras (best val_dice weights, float32), config.json, history.json, the PNG."""
    keras.mixed_precision.set_global_policy("float32")
    final = build_model(config, info)
    best = load_best(paths.best)
    if best:
        final.load_weights(os.path.join(paths.best, "best.weights.h5"))
    else:
        print("no val_dice was measured (empty VAL?): saving the last epoch's weights", flush=True)
        final.set_weights(model.get_weights())
    entries = load_progress(paths.progress, config.epochs)
    written = effective_config(config, info, final, {
        **extra, "best_epoch": best["epoch"] if best else len(entries),
        "best_val_dice": best["value"] if best else None, "epochs_completed": len(entries)})
    artifacts.save_trained(final, written, out)
    history = history_lists(entries)
    write_json(os.path.join(out, HISTORY_FILE), history)
    plot_history(history, os.path.join(out, CURVES_FILE), f"{config.model} U-Net ({config.preset})")
    shutil.rmtree(paths.best, ignore_errors=True)
    shutil.rmtree(os.path.join(paths.backup, "chief"), ignore_errors=True)  # left when no epoch was left to run
    if os.path.exists(paths.progress):
        os.remove(paths.progress)
    try:
        os.rmdir(paths.backup)  # only when empty: Keras already removed its backup
    except OSError:
        pass
    if config.verbose:
        dice = f"{best['value']:.4f} at epoch {best['epoch']}" if best else "n/a"
        print(f"lvseg train: best val_dice {dice}; wrote {out}", flush=True)
    return written


def main(argv: list[str] | None = None) -> int:
    config = resolve_paths(parse_args(argv))
    train(config)
    return 0


if __name__ == "__main__":
    from lvseg.cli import run as run_command

    sys.exit(run_command("lvseg train", main, sys.argv[1:]))
