"""Keras callbacks of a training run: the learning-rate schedule, landmark validation, progress lines,
history and best weights.

Order matters (task.py builds the list): the landmark validation adds ``val_dice`` to the epoch's logs
first, so the logger, the history, the best-weights keeper, TensorBoard and the backup all see it.
History and best weights are written before the Keras backup, so a job killed in between re-runs that
epoch and overwrites its entry instead of losing it.
"""

from __future__ import annotations

import json
import math
import os
import time

import numpy as np

from lvseg.inference.encode import to_model_input
from lvseg.tf_backend import keras, tf
from trainer.keras_metrics import LandmarkScores

BEST_WEIGHTS = "best.weights.h5"
BEST_INFO = "best.json"


def write_json(path: str, value) -> None:
    """Write atomically (temp file + rename): a kill mid-write never leaves half a file."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(value, f, indent=2, sort_keys=True)
    os.replace(tmp, path)


def _plain(logs: dict) -> dict:
    """Logs as JSON-friendly floats (NaN -> None)."""
    out = {}
    for key, value in (logs or {}).items():
        value = float(value)
        out[key] = None if math.isnan(value) else value
    return out


def cosine_rate(base: float, epoch: int, epochs: int, floor: float = 0.02) -> float:
    """Learning rate of a 0-based epoch: cosine from ``base`` at the first epoch to ``floor * base`` at the last."""
    progress = epoch / max(1, epochs - 1)
    return base * (floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress))))


def rate_schedule(schedule: str, base: float, epochs: int) -> keras.callbacks.Callback | None:
    """The callback that sets each epoch's learning rate (None for 'constant'). Keyed on the epoch number,
    which BackupAndRestore restores, so a resumed run continues the same schedule."""
    if schedule == "constant":
        return None
    return keras.callbacks.LearningRateScheduler(lambda epoch, _rate: cosine_rate(base, epoch, epochs))


class LandmarkValidation(keras.callbacks.Callback):
    """val_dice (spline-rebuilt masks vs TRUE masks), val_landmark_error_px, val_failed_fraction."""

    def __init__(self, val: dict[str, np.ndarray], batch_size: int = 64):
        super().__init__()
        self.val, self.batch_size = val, batch_size

    def scores(self) -> dict[str, float]:
        scores, images = LandmarkScores(), self.val["image"]
        for start in range(0, len(images), self.batch_size):
            chunk = slice(start, start + self.batch_size)
            outputs = self.model.predict(to_model_input(images[chunk]), verbose=0)
            scores.add(outputs, self.val["mask"][chunk], self.val["landmarks"][chunk])
        return {f"val_{key}": value for key, value in scores.result().items()}

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs.update(self.scores())


class EpochLogger(keras.callbacks.Callback):
    """Adds ``epoch_time_s`` and ``images_per_s`` to the logs; prints one line per epoch when verbose."""

    def __init__(self, epochs: int, images_per_epoch: int, verbose: int = 1):
        super().__init__()
        self.epochs, self.images, self.verbose = epochs, images_per_epoch, verbose
        self.started = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        elapsed = time.perf_counter() - self.started
        logs["epoch_time_s"] = elapsed
        logs["images_per_s"] = self.images / elapsed if elapsed > 0 else float("nan")
        if self.verbose:
            shown = "  ".join(f"{k} {float(v):.4f}" for k, v in logs.items()
                              if k not in ("epoch_time_s", "images_per_s"))
            print(f"epoch {epoch + 1}/{self.epochs}  {shown}  {elapsed:.1f} s "
                  f"({logs['images_per_s']:.1f} img/s)", flush=True)


class HistoryRecorder(keras.callbacks.Callback):
    """Per-epoch logs in a JSON list that survives restarts: entries from ``start_epoch`` on are replaced."""

    def __init__(self, path: str, start_epoch: int):
        super().__init__()
        self.path, self.start_epoch = path, start_epoch
        self.entries: list[dict] = []

    def on_train_begin(self, logs=None):
        self.entries = load_progress(self.path, self.start_epoch)

    def on_epoch_end(self, epoch, logs=None):
        self.entries = [e for e in self.entries if e["epoch"] < epoch + 1] + [{"epoch": epoch + 1, **_plain(logs)}]
        write_json(self.path, self.entries)


def load_progress(path: str, start_epoch: int) -> list[dict]:
    """Recorded epochs before ``start_epoch`` (1-based ``epoch`` <= start_epoch)."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [e for e in json.load(f) if e["epoch"] <= start_epoch]


class EpochSummaries(keras.callbacks.Callback):
    """TensorBoard scalars per epoch (``train/`` and ``validation/`` runs, tags ``epoch_<metric>`` as Keras).

    Written with TensorFlow's own summary writer, so it works without the ``tensorboard`` package,
    which the pinned stack does not install (Keras's TensorBoard callback needs it).
    """

    def __init__(self, log_dir: str):
        super().__init__()
        self.log_dir = log_dir
        self.writers: dict[str, tf.summary.SummaryWriter] = {}

    def _writer(self, run: str) -> tf.summary.SummaryWriter:
        if run not in self.writers:
            self.writers[run] = tf.summary.create_file_writer(os.path.join(self.log_dir, run))
        return self.writers[run]

    def on_epoch_end(self, epoch, logs=None):
        from tensorflow.core.framework import summary_pb2

        metadata = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"))
        for key, value in (logs or {}).items():
            run, name = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
            with self._writer(run).as_default():
                tf.summary.write(f"epoch_{name}", tf.constant(float(value), tf.float32), step=epoch,
                                 metadata=metadata)
        for writer in self.writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self.writers.values():
            writer.close()


class BestWeights(keras.callbacks.Callback):
    """Keeps the weights of the best ``monitor`` value so far (also across restarts) in ``directory``."""

    def __init__(self, directory: str, monitor: str = "val_dice", resume: bool = False):
        super().__init__()
        self.directory, self.monitor, self.resume = directory, monitor, resume
        self.best, self.best_epoch = -math.inf, 0

    def on_train_begin(self, logs=None):
        info = load_best(self.directory) if self.resume else None
        if info:
            self.best, self.best_epoch = info["value"], info["epoch"]

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None or math.isnan(float(value)) or float(value) <= self.best:
            return
        os.makedirs(self.directory, exist_ok=True)
        tmp = os.path.join(self.directory, "incoming." + BEST_WEIGHTS)
        self.model.save_weights(tmp)
        os.replace(tmp, os.path.join(self.directory, BEST_WEIGHTS))
        self.best, self.best_epoch = float(value), epoch + 1
        write_json(os.path.join(self.directory, BEST_INFO),
                   {"epoch": self.best_epoch, "monitor": self.monitor, "value": self.best})


def load_best(directory: str) -> dict | None:
    """{epoch, monitor, value} of the kept weights, or None."""
    path = os.path.join(directory, BEST_INFO)
    if not (os.path.exists(path) and os.path.exists(os.path.join(directory, BEST_WEIGHTS))):
        return None
    with open(path) as f:
        return json.load(f)
