"""The presets' promised sizes, the Keras Dice metric's definition, and TFMOT quantizability."""

from __future__ import annotations

import numpy as np
import pytest

from lvseg.geometry.heatmaps import quantize_heatmaps, render_heatmaps
from lvseg.geometry.landmarks import landmarks
from lvseg.geometry.mask import tracing_mask
from lvseg.metrics.dice import overlap, pooled_dice
from lvseg.tf_backend import keras, tf
from trainer.keras_metrics import LandmarkScores, PooledDice
from trainer.losses import HEATMAP_LOSSES, dice_bce_loss
from trainer.model import PRESETS, build_preset, build_unet, count_flops, model_size


def test_compact_preset_fits_the_handheld_budget():
    size = model_size(build_preset("compact", 16))
    assert size["params"] <= 1_000_000
    assert size["flops"] <= 1_000_000_000


def test_paper_preset_is_the_studys_unet():
    model = build_preset("paper", 1)
    assert 30e6 < model.count_params() < 33e6
    assert model.output_shape == (None, 112, 112, 1)


def test_count_flops_of_a_single_convolution():
    inputs = keras.Input((8, 8, 2))
    model = keras.Model(inputs, keras.layers.Conv2D(3, 3, padding="same")(inputs))
    assert count_flops(model) == 2 * 3 * 3 * 2 * 3 * 8 * 8


@pytest.mark.parametrize("preset, channels", [("compact", 1), ("compact", 16), ("paper", 12)])
def test_tfmot_quantize_model_accepts_the_models(preset, channels):
    import tensorflow_model_optimization as tfmot

    if preset == "paper":  # same layer kinds as the paper preset (transposed convs), small widths: fast
        params = {**PRESETS["paper"], "filters": (4, 8, 16, 32, 64)}
        model = build_unet(out_channels=channels, **params)
    else:
        model = build_preset(preset, channels)
    quantized = tfmot.quantization.keras.quantize_model(model)
    out = quantized(np.zeros((1, 112, 112, 1), np.float32))
    assert out.shape == (1, 112, 112, channels)


def test_pooled_dice_metric_matches_lvseg_metrics():
    rng = np.random.default_rng(0)
    metric = PooledDice()
    overlaps = []
    for _ in range(3):  # three batches, pooled over all of them
        true = (rng.random((4, 16, 16, 1)) > 0.6).astype(np.float32)
        prob = rng.random((4, 16, 16, 1)).astype(np.float32)
        metric.update_state(true, prob)
        overlaps += [overlap(p[..., 0] > 0.5, t[..., 0]) for p, t in zip(prob, true)]
    assert metric.result().numpy() == pytest.approx(pooled_dice(overlaps), abs=1e-6)
    metric.reset_state()
    metric.update_state(np.zeros((1, 4, 4, 1)), np.zeros((1, 4, 4, 1)))
    assert metric.result().numpy() == 1.0  # both empty: perfect agreement, as lvseg.metrics.dice says


def test_losses_are_small_for_perfect_predictions():
    target = np.zeros((2, 32, 32, 1), np.float32)
    target[:, 8:24, 8:24] = 1.0
    assert float(dice_bce_loss(target, target)) < 1e-3
    assert float(dice_bce_loss(target, 1.0 - target)) > 1.0
    heat = np.random.default_rng(1).random((2, 32, 32, 4)).astype(np.float32)
    for name, loss in HEATMAP_LOSSES.items():
        assert float(loss(heat, heat)) < float(loss(heat, 1.0 - heat)), name


def test_landmark_scores_of_true_heatmaps_reach_the_scheme_ceiling():
    from tests.trainer.test_augment import egg_tracing

    tracing = egg_tracing()
    points = landmarks(tracing, "contour16")
    heatmaps = quantize_heatmaps(render_heatmaps(points)).astype(np.float32) / 255.0
    scores = LandmarkScores()
    scores.add(heatmaps[None], tracing_mask(tracing)[None], points[None])
    result = scores.result()
    assert result["dice"] > 0.95
    assert result["landmark_error_px"] < 0.2
    assert result["failed_fraction"] == 0.0
    empty = LandmarkScores()
    empty.add(np.zeros((1, 112, 112, 16), np.float32), tracing_mask(tracing)[None], points[None])
    assert empty.result()["dice"] == 0.0 and empty.result()["failed_fraction"] == 1.0


def test_model_outputs_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = build_unet(filters=(4, 8), out_channels=2)
        assert model.output.dtype == tf.float32
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_prior_logit_starts_the_sigmoid_at_the_prior():
    from trainer.model import prior_logit

    for p in (0.0125, 0.1, 0.5):
        assert 1.0 / (1.0 + np.exp(-prior_logit(p))) == pytest.approx(p)
