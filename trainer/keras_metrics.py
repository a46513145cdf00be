"""Dice as training reports it, the same definition as lvseg.metrics.dice.

``PooledDice`` (Keras metric, the mask model): prediction = probability > 0.5, exactly
lvseg.inference.decode.segment('mask'); counts are summed over every batch of the epoch, so the epoch's
figure is 2 sum(inter) / (sum(pred) + sum(true)) over all its pixels (1.0 when both sums are 0), the
pooled Dice of lvseg.metrics.dice.pooled_dice.

``LandmarkScores`` (numpy, the landmark model): each frame's heatmaps go through
lvseg.inference.decode.segment('landmarks') (peak decoding, spline, fill) and are scored against the TRUE
mask with lvseg.metrics.dice, as evaluation does; plus the mean landmark error in pixels.
"""

from __future__ import annotations

import numpy as np

from lvseg.inference.decode import MASK_THRESHOLD, segment
from lvseg.metrics.dice import overlap, pooled_dice
from lvseg.tf_backend import keras, tf


class PooledDice(keras.metrics.Metric):
    """Dice of thresholded predictions pooled over all pixels seen since the last reset."""

    def __init__(self, name: str = "dice", threshold: float = MASK_THRESHOLD, **kwargs):
        super().__init__(name=name, **kwargs)
        self.threshold = threshold
        # float64: an epoch of EchoNet holds ~2e8 mask pixels, beyond float32's exact integers
        self.intersection = self.add_weight("intersection", initializer="zeros", dtype=tf.float64)
        self.predicted = self.add_weight("predicted", initializer="zeros", dtype=tf.float64)
        self.true = self.add_weight("true", initializer="zeros", dtype=tf.float64)

    def update_state(self, y_true, y_pred, sample_weight=None):
        pred = tf.cast(tf.cast(y_pred, tf.float32) > self.threshold, tf.float64)
        true = tf.cast(tf.cast(y_true, tf.float32) > 0.5, tf.float64)
        self.intersection.assign_add(tf.reduce_sum(pred * true))
        self.predicted.assign_add(tf.reduce_sum(pred))
        self.true.assign_add(tf.reduce_sum(true))

    def result(self):
        total = self.predicted + self.true
        dice = tf.where(total > 0, 2.0 * self.intersection / tf.maximum(total, 1.0), tf.constant(1.0, tf.float64))
        return tf.cast(dice, tf.float32)

    def reset_state(self):
        for variable in (self.intersection, self.predicted, self.true):
            variable.assign(tf.zeros_like(variable))

    def get_config(self) -> dict:
        return {**super().get_config(), "threshold": self.threshold}


class LandmarkScores:
    """Accumulates landmark-model outputs, chunk by chunk, into the scores evaluation would report.

    ``dice``: pooled Dice of the spline-rebuilt masks against the true masks (a failed frame counts
    with its empty mask, as in evaluation); ``landmark_error_px``: mean Euclidean distance of decoded
    peaks to the true landmarks; ``failed_fraction``: share of frames whose weakest peak is below the
    confidence floor.
    """

    def __init__(self):
        self.overlaps, self.errors, self.failed = [], [], 0

    def add(self, outputs: np.ndarray, true_masks: np.ndarray, true_landmarks: np.ndarray) -> None:
        """outputs (N, H, W, K) in [0, 1], true masks (N, H, W), true landmarks (N, K, 2)."""
        for output, mask, points in zip(outputs, true_masks, true_landmarks):
            result = segment("landmarks", output)
            self.overlaps.append(overlap(result.mask, mask))
            self.errors.append(float(np.linalg.norm(result.landmarks - points, axis=1).mean()))
            self.failed += not result.ok

    def result(self) -> dict[str, float]:
        if not self.overlaps:
            return {}
        return {"dice": pooled_dice(self.overlaps), "landmark_error_px": float(np.mean(self.errors)),
                "failed_fraction": self.failed / len(self.overlaps)}
