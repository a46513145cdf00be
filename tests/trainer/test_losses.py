"""trainer.losses: the base-weighted mask loss charges a leak beyond the base more than the same error elsewhere."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trainer import config
from trainer.losses import (HEATMAP_LOSSES, area_error, base_weighted_loss, dice_bce_loss, loss_for, loss_name,
                            uses_base_band, weighted_bce_loss)

PIXELS = 16 * 16


def target() -> tuple[np.ndarray, np.ndarray]:
    """A 16x16 frame: LV rows 2-9, the base band rows 10-12 under it (mask, band), each (1, 16, 16, 1)."""
    mask = np.zeros((1, 16, 16, 1), np.float32)
    mask[:, 2:10, 4:12] = 1.0
    band = np.zeros_like(mask)
    band[:, 10:13, 4:12] = 1.0
    return mask, band


def predictions(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two predictions with the same three wrong pixels' worth of error: through the base, or beside the LV."""
    right = np.where(mask > 0, 0.9, 0.1).astype(np.float32)
    leak, beside = right.copy(), right.copy()
    leak[:, 10, 5:8] = 0.9          # in the band, just beyond the base
    beside[:, 5, 13:16] = 0.9       # as wrong, but to the side of the LV
    return leak, beside


def test_a_leak_beyond_the_base_costs_more_than_the_same_error_elsewhere():
    mask, band = target()
    leak, beside = predictions(mask)
    y_true = np.concatenate([mask, band], axis=-1)
    weighted = base_weighted_loss(4.0)
    # the plain loss cannot tell them apart ...
    assert float(dice_bce_loss(mask, leak)) == pytest.approx(float(dice_bce_loss(mask, beside)), abs=1e-6)
    # ... the weighted one charges the 3 band pixels' extra BCE 4 more times: 4 * 3 * (ln 0.9 - ln 0.1) / pixels
    extra = float(weighted(y_true, leak)) - float(weighted(y_true, beside))
    assert extra == pytest.approx(4.0 * 3 * (math.log(0.9) - math.log(0.1)) / PIXELS, rel=1e-4)


def test_weight_zero_is_the_plain_loss_and_an_empty_band_changes_nothing():
    mask, band = target()
    leak, _ = predictions(mask)
    assert loss_for("mask") is dice_bce_loss and loss_for("mask", "bce", 0.0) is dice_bce_loss
    no_band = np.concatenate([mask, np.zeros_like(band)], axis=-1)
    assert float(base_weighted_loss(4.0)(no_band, leak)) == pytest.approx(float(dice_bce_loss(mask, leak)), rel=1e-6)
    assert float(loss_for("mask", "bce", 2.0)(np.concatenate([mask, band], -1), leak)) > float(
        dice_bce_loss(mask, leak))


def test_the_loss_is_named_honestly_and_only_the_mask_model_uses_the_band():
    assert loss_name("mask") == "dice + bce" and loss_name("mask", "weighted_bce", 4.0) == \
        "dice + bce, base band weight 1 + 4"
    assert loss_name("landmarks", "mse", 4.0) == "mse"
    assert loss_name("mask", "bce", 4.0, 0.5) == "dice + bce, base band weight 1 + 4 + 0.5 x area error"
    assert loss_name("mask", "bce", 0.0, 0.5) == "dice + bce + 0.5 x area error"
    assert uses_base_band("mask", 4.0) and not uses_base_band("mask", 0.0) and not uses_base_band("landmarks", 4.0)


def test_the_heatmap_loss_defaults_to_the_trainers_and_every_flag_choice_has_a_loss():
    default = config.TrainConfig().loss
    assert loss_for("landmarks") is HEATMAP_LOSSES[default] and loss_name("landmarks") == default
    assert loss_for("landmarks", "weighted_bce") is weighted_bce_loss
    assert tuple(HEATMAP_LOSSES) == config.HEATMAP_LOSSES


def test_the_area_term_charges_each_frames_own_size_error():
    """Two frames: one drawn a quarter too large, one right. Pooled over the batch the error is diluted by the
    larger frame; the area term is each frame's relative error, averaged."""
    mask = np.zeros((2, 16, 16, 1), np.float32)
    mask[0, 4:8, 4:12] = 1.0     # 32 px: the small (ES-like) frame
    mask[1, 2:14, 2:14] = 1.0    # 144 px
    too_large = mask.copy()
    too_large[0, 8, 4:12] = 1.0  # 8 px more: x1.25
    assert float(area_error(mask, too_large)) == pytest.approx((8 / 33) / 2, rel=1e-5)  # EPSILON = 1 px
    band = np.zeros_like(mask)
    y_true = np.concatenate([mask, band], -1)
    extra = float(loss_for("mask", "bce", 4.0, 2.0)(y_true, too_large)) - float(base_weighted_loss(4.0)(y_true,
                                                                                                       too_large))
    assert extra == pytest.approx(2.0 * (8 / 33) / 2, rel=1e-5)
    assert float(area_error(mask, mask)) == 0.0
    # without the base band the term is added all the same, not dropped
    plain = float(loss_for("mask", "bce", 0.0, 2.0)(mask, too_large)) - float(dice_bce_loss(mask, too_large))
    assert plain == pytest.approx(2.0 * (8 / 33) / 2, rel=1e-5)


def test_the_dice_weight_scales_only_the_dice_term():
    """dice_weight 0 leaves the BCE alone (with the band's weights); 2 counts the soft Dice twice."""
    mask, band = target()
    leak, _ = predictions(mask)
    y_true = np.concatenate([mask, band], axis=-1)
    dice = 1.0 - (2.0 * float(np.sum(mask * leak)) + 1.0) / (float(np.sum(mask) + np.sum(leak)) + 1.0)
    for base in (0.0, 4.0):
        target_ = y_true if base > 0 else mask
        one = float(loss_for("mask", "bce", base)(target_, leak))
        assert float(loss_for("mask", "bce", base, 0.0, 0.0)(target_, leak)) == pytest.approx(one - dice, rel=1e-5)
        assert float(loss_for("mask", "bce", base, 0.0, 2.0)(target_, leak)) == pytest.approx(one + dice, rel=1e-5)
    assert loss_for("mask", "bce", 0.0, 0.0, 1.0) is dice_bce_loss
    assert loss_name("mask", "bce", 4.0, 0.0, 0.0) == "bce, base band weight 1 + 4"
    assert loss_name("mask", "bce", 0.0, 0.0, 0.5) == "0.5 x dice + bce"


def test_trained_loss_is_what_config_json_says():
    """Export's fine-tunes rebuild the trained loss from config.json; configs from before a setting existed get
    the loss training then used (no base band, no area term, Dice weight 1)."""
    from trainer.losses import trained_loss

    mask, band = target()
    y_true = np.concatenate([mask, band], axis=-1)
    y_pred = predictions(mask)[0]
    loss, depth = trained_loss({"model": "mask", "base_weight": 4.0, "base_band": 20.0, "area_weight": 1.0,
                                "dice_weight": 0.5})
    expected = loss_for("mask", base_weight=4.0, area_weight=1.0, dice_weight=0.5)(y_true, y_pred)
    assert depth == 20.0 and float(loss(y_true, y_pred)) == pytest.approx(float(expected))
    assert trained_loss({"model": "mask"}) == (dice_bce_loss, None)
    assert trained_loss({"model": "mask", "base_weight": 0.0, "base_band": 25.0}) == (dice_bce_loss, None)
    assert trained_loss({"model": "landmarks", "loss": "mse", "base_weight": 4.0}) == (HEATMAP_LOSSES["mse"], None)
