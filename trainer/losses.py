"""Training losses: Dice + BCE for the mask model, a heatmap loss for the landmark model.

Mask: soft Dice pooled over the batch (the same pooling as the reported Dice) plus pixel BCE; the BCE
term keeps gradients alive on empty or tiny masks, the Dice term counters the background's majority.
With ``base_weight`` > 0 the target carries a second channel, the base band (lvseg.geometry.base.base_band:
pixels beyond the true base line, within a few pixels of it, outside the true LV), and those pixels' BCE
weighs 1 + base_weight instead of 1: a mask that runs through the mitral valve into the atrium, the
synthetic-to-real failure that makes real masks 10-30 % too large, costs more than the same error elsewhere.
The BCE stays a mean over all pixels (not normalized by the weights), so every other pixel keeps its weight.
Default ``base_weight`` 4 with a 25-px band, measured on synthetic data (160 videos, seed 3, 236 TRAIN /
42 VAL frames; compact U-Net, 8 epochs, seed 42; lvseg evaluate --split VAL; leak = mean base leak):

    base_weight   VAL Dice (ED / ES)          area ratio ED / ES (median)   leak ED / ES
    0             0.9280 (0.9438 / 0.9049)    x1.04 / x1.11                 2.0 % / 1.3 %
    4             0.9285 (0.9442 / 0.9058)    x0.97 / x1.08                 0.27 % / 0.15 %
    16            0.9261 (0.9357 / 0.9118)    x0.93 / x0.99                 0.08 % / 0.02 %

4 removes most of the leak at no cost in Dice; 16 removes the rest but shrinks the ED masks below the
truth (x0.93) and costs ED Dice. One seed and 42 frames: differences under about 0.005 Dice are noise.

The Dice stays pooled over the batch. Every model here draws small ventricles too large and large ones
slightly too small (the demo's mask model on TEST: x1.08 the true area under 1,000 px, x0.99 over 2,000),
which lowers EF. A per-image soft Dice (each frame weighs the same, however small its LV) was tried on
the demo's records (20 epochs, seed 0): every size came out 2-3 % smaller (x1.05 under 1,000 px, x0.96
over 2,000: the same slope), TEST Dice 0.9544 vs 0.9570 (mean per frame); not adopted.

``area_weight`` > 0 adds that many times each frame's relative soft-area error
(``area_error``): what EF is made of. The EF error left on held-out physiology is the ES frame drawn 3-8 % too
large relative to ED (benchmarks/physiology.py, ``ES/ED``). Measured once on the demo's records (600 videos,
compact, 20 epochs, seed 0, this machine; `python benchmarks/flip_average.py --model M --records R`, VAL):

    area_weight   VAL Dice   area ED / ES     area-EF error, MAE   the same, mirror-averaged
    0 (default)   0.9580     x0.985 / x1.019  -2.63, 4.16          -2.46, 3.97
    1             0.9547     x1.004 / x1.029  -1.66, 3.60          -1.78, 3.51

On VAL it took a third off the EF bias and half a point off its MAE at 0.003 Dice. Beyond VAL the same weight-1
model did not hold up, so the default stays 0 (demo 600 x 20 TEST; demo CAMUS; held-out physiology seed 2, 8 presets
x 20 clips, mirror averaging; `lvseg evaluate`, `python benchmarks/physiology.py`):

    area_weight   TEST Dice, ES area, ES leak   CAMUS Dice, area ED / ES   physiology EF MAE   bias, ES/ED there
    0 (default)   0.9596, x1.02, 0.0 %          0.890, x0.96 / x0.98       4.07 (2.60-4.65)    -3.4..-2.5, 1.03-1.08
    1             0.9563, x1.03, 0.7 %          0.846, x1.00 / x1.09       4.00 (3.33-4.38)    -3.8..-2.1, 1.05-1.09

(bias and ES/ED at the true ED and ES frames, over the presets of normal EF; at low EF +2.1 and x0.98 for both.)
At the true ED and ES frames the ES/ED size bias is unchanged (the video EF MAE moved 0.07 over 160 clips), the
masks grow on the external set, most at ES (CAMUS ES x0.98 -> x1.09: the synthetic proxy of the real frames'
error, issue 17), the base leak appears, and two sinus clips were flagged erratic (none at weight 0).

``dice_weight`` scales the soft Dice term (default 1). Soft Dice is known to bias volumes where the border is
inherently uncertain, and cross-entropy alone to give calibrated probabilities (Bertels et al., MedIA 2021), so
BCE alone was tried against the ES excess (`lvseg train --dice-weight 0`, demo records, 20 epochs, seed 0, base
weight 4; `python benchmarks/flip_average.py --model M --records R`, VAL, mirror-averaged):

    dice_weight   VAL Dice   area ED / ES     area-EF error, MAE   volume-EF error, MAE
    1 (default)   0.9587     x0.989 / x1.023  -2.46, 3.97          -2.77, 4.44
    0             0.9580     x0.976 / x1.036  -4.09, 5.25          -4.72, 6.02

BCE alone drew ED smaller and ES larger: the ES excess is not the Dice term's volume bias, and the default stays 1.

Landmarks (one Gaussian heatmap per landmark):
  ``bce``           pixel BCE against the soft Gaussian targets, as in the study;
  ``weighted_bce``  the same with weight 1 + ``POSITIVE_WEIGHT`` * target, so the few pixels near a
                    landmark count as much as the large empty background;
  ``mse``           mean squared error x ``MSE_SCALE`` (Adam is nearly scale-free; the scale keeps the
                    reported numbers readable).
Default ``weighted_bce``, measured on synthetic data (400 videos, contour16, sigma 5: 592 TRAIN / 104 VAL
frames; compact U-Net, batch 16, 8 epochs = 296 steps, 2.5-4 CPU minutes; Dice of the spline-rebuilt
mask against the true mask, whose ceiling with perfect landmarks is 0.979 here):

    loss           best val_dice (seed 42 / seed 7)   error px, epoch 8   val_dice after 2 epochs
    bce            0.9470 / 0.9466                    1.68 / 1.68         0.930 / 0.000
    weighted_bce   0.9499 / 0.9489                    1.57 / 1.49         0.860 / 0.904
    mse            0.9497 / 0.9464                    1.32 / 1.66         0.000 / 0.000

weighted_bce was best on both seeds (by 0.2-0.3 Dice points, within reach of noise on 104 frames but
consistent) and the most reliable early on; mse leaves every peak under the 0.1 confidence floor for
the first 4-6 epochs. Two model choices mattered far more than the loss (bce, seed 42): with Keras's
default batch-norm momentum 0.99 and a 0.5 initial output the same run scored 0.24; momentum 0.9 alone
0.81; momentum 0.9 plus the prior output bias 0.947 (trainer.model.BN_MOMENTUM, prior_logit).
"""

from __future__ import annotations

from typing import Callable, Mapping

from lvseg.tf_backend import keras, tf
from trainer.config import DEFAULT_HEATMAP_LOSS, TrainConfig

POSITIVE_WEIGHT = 20.0
MSE_SCALE = 100.0
EPSILON = 1.0


def soft_dice_loss(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
    """1 - soft Dice pooled over every pixel of the batch (smoothed by EPSILON pixels)."""
    y_true, y_pred = tf.cast(y_true, tf.float32), tf.cast(y_pred, tf.float32)
    intersection = tf.reduce_sum(y_true * y_pred)
    total = tf.reduce_sum(y_true) + tf.reduce_sum(y_pred)
    return 1.0 - (2.0 * intersection + EPSILON) / (total + EPSILON)


def _pixel_bce(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
    """Elementwise BCE on probabilities (clipped like Keras)."""
    eps = keras.backend.epsilon()
    y_true = tf.cast(y_true, tf.float32)
    y_pred = tf.clip_by_value(tf.cast(y_pred, tf.float32), eps, 1.0 - eps)
    return -(y_true * tf.math.log(y_pred) + (1.0 - y_true) * tf.math.log(1.0 - y_pred))


def _dice_plus_bce(mask: tf.Tensor, y_pred: tf.Tensor, dice_weight: float, bce_weights: tf.Tensor | float = 1.0
                   ) -> tf.Tensor:
    """The mask loss's one formula: dice_weight x soft Dice + the mean of the (weighted) pixel BCE."""
    return dice_weight * soft_dice_loss(mask, y_pred) + tf.reduce_mean(bce_weights * _pixel_bce(mask, y_pred))


def dice_bce_loss(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
    """Mask loss: soft Dice + mean BCE."""
    return _dice_plus_bce(y_true, y_pred, 1.0)


def weighted_dice_bce_loss(dice_weight: float) -> Callable:
    """Mask loss: dice_weight x soft Dice + mean BCE (0: BCE alone, the loss whose probabilities are calibrated);
    weight 1 is dice_bce_loss itself."""
    if dice_weight == 1.0:
        return dice_bce_loss

    def loss(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
        return _dice_plus_bce(y_true, y_pred, dice_weight)

    loss.__name__ = f"dice{dice_weight:g}_bce"
    return loss


def area_error(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
    """Mean over the frames of |soft predicted area - true area| / true area: each frame's own size error, what
    EF is made of, which a Dice pooled over the batch lets a small ES frame get wrong cheaply."""
    y_true, y_pred = tf.cast(y_true, tf.float32), tf.cast(y_pred, tf.float32)
    true_area = tf.reduce_sum(y_true, axis=[1, 2, 3])
    return tf.reduce_mean(tf.abs(tf.reduce_sum(y_pred, axis=[1, 2, 3]) - true_area) / (true_area + EPSILON))


def base_weighted_loss(base_weight: float, dice_weight: float = 1.0) -> Callable:
    """Mask loss on a (mask, base band) target (B, H, W, 2): dice_weight x soft Dice + BCE weighted 1 + base_weight
    in the band."""
    def loss(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
        y_true = tf.cast(y_true, tf.float32)
        mask, band = y_true[..., :1], y_true[..., 1:2]
        return _dice_plus_bce(mask, y_pred, dice_weight, 1.0 + base_weight * band)

    loss.__name__ = "base_weighted_dice_bce"
    return loss


def with_area_term(mask_loss: Callable, area_weight: float) -> Callable:
    """``mask_loss`` plus area_weight x the frames' relative area error; the mask is the target's first channel
    (the only one, or the one before the base band)."""
    def loss(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
        return mask_loss(y_true, y_pred) + area_weight * area_error(tf.cast(y_true, tf.float32)[..., :1], y_pred)

    loss.__name__ = f"{mask_loss.__name__}_area"
    return loss


def bce_loss(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(_pixel_bce(y_true, y_pred))


def weighted_bce_loss(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
    weights = 1.0 + POSITIVE_WEIGHT * tf.cast(y_true, tf.float32)
    return tf.reduce_sum(weights * _pixel_bce(y_true, y_pred)) / tf.reduce_sum(weights)


def mse_loss(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
    diff = tf.cast(y_pred, tf.float32) - tf.cast(y_true, tf.float32)
    return MSE_SCALE * tf.reduce_mean(tf.square(diff))


HEATMAP_LOSSES: dict[str, Callable] = {"bce": bce_loss, "weighted_bce": weighted_bce_loss, "mse": mse_loss}


def loss_for(model_kind: str, heatmap_loss: str = DEFAULT_HEATMAP_LOSS, base_weight: float = 0.0,
             area_weight: float = 0.0, dice_weight: float = 1.0) -> Callable:
    """The loss function of a model kind ('mask' or 'landmarks'); base_weight > 0 only for the mask model.

    ``heatmap_loss`` defaults to the trainer's default (trainer.config); a fine-tune takes trained_loss's, the
    loss its model's config.json names."""
    if model_kind == "mask":
        loss = base_weighted_loss(base_weight, dice_weight) if base_weight > 0 else weighted_dice_bce_loss(dice_weight)
        return with_area_term(loss, area_weight) if area_weight > 0 else loss
    return HEATMAP_LOSSES[heatmap_loss]


def trained_loss(model_config: Mapping) -> tuple[Callable, float | None]:
    """The loss a trained model's config.json says it was trained with, and the base band depth its targets then
    carry (None: the target is the mask or the heatmaps alone), so a fine-tune (export's QAT and pruning) keeps
    optimizing what training did. Settings a config predates take the values training used before they existed."""
    kind = model_config["model"]
    base_weight = float(model_config.get("base_weight", 0.0))
    loss = loss_for(kind, model_config.get("loss", DEFAULT_HEATMAP_LOSS), base_weight,
                    float(model_config.get("area_weight", 0.0)), float(model_config.get("dice_weight", 1.0)))
    depth = float(model_config.get("base_band", TrainConfig.base_band)) if uses_base_band(kind, base_weight) else None
    return loss, depth


def loss_name(model_kind: str, heatmap_loss: str = DEFAULT_HEATMAP_LOSS, base_weight: float = 0.0,
              area_weight: float = 0.0, dice_weight: float = 1.0) -> str:
    """What loss_for gives, in words, for config.json (the ``loss`` flag names the heatmap loss only)."""
    if model_kind == "mask":
        dice = "dice + " if dice_weight == 1.0 else f"{dice_weight:g} x dice + " if dice_weight > 0 else ""
        name = f"{dice}bce, base band weight 1 + {base_weight:g}" if base_weight > 0 else f"{dice}bce"
        return name + (f" + {area_weight:g} x area error" if area_weight > 0 else "")
    return heatmap_loss


def uses_base_band(model_kind: str, base_weight: float) -> bool:
    """Whether training targets carry the base band channel: the mask model with a base weight."""
    return model_kind == "mask" and base_weight > 0
