"""Agreement statistics against hand-computed values, bootstrap CIs, and tiny or one-class inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lvseg.analysis.agreement import LOA_Z, agreement, auc_below, by_band

# d = P - R = [5, -5, 5, -5, 8]
P = [30.0, 40.0, 55.0, 60.0, 70.0]
R = [25.0, 45.0, 50.0, 65.0, 62.0]


def test_error_statistics_by_hand():
    a = agreement(P, R, samples=200)
    assert a.n == 5 and a.excluded == 0
    assert a.mae.value == pytest.approx(28 / 5)
    assert a.rmse.value == pytest.approx(math.sqrt(164 / 5))
    assert a.bias.value == pytest.approx(1.6)
    sd = math.sqrt((2 * 3.4**2 + 2 * 6.6**2 + 6.4**2) / 4)  # deviations of d from 1.6, ddof 1
    assert a.loa_low.value == pytest.approx(1.6 - LOA_Z * sd)
    assert a.loa_high.value == pytest.approx(1.6 + LOA_Z * sd)


def test_correlation_and_r2_by_hand():
    a = agreement(P, R, samples=200)
    # centred P: -21 -11 4 9 19; centred R (mean 49.4): -24.4 -4.4 0.6 15.6 12.6
    assert a.pearson_r.value == pytest.approx(943 / math.sqrt(1020 * 1017.2))
    assert a.r2.value == pytest.approx(1 - 164 / 1017.2)  # 1 - sum(d^2) / sum((R - mean R)^2)


def test_auc_counts_ties_half():
    p = np.array([[30.0, 40.0, 40.0, 60.0]])
    r = np.array([[30.0, 45.0, 55.0, 60.0]])
    # EF < 50: positives predict 30 and 40, negatives 40 and 60: pairs 1 + 1 + 0.5 + 1 of 4
    assert auc_below(p, r, 50.0)[0] == pytest.approx(3.5 / 4)
    # EF < 35: one positive (predicted 30), below all three negatives (40, 40, 60)
    assert auc_below(p, r, 35.0)[0] == pytest.approx(1.0)
    # a predictor that ranks backwards scores 0
    assert auc_below(-p, r, 35.0)[0] == pytest.approx(0.0)


def test_bootstrap_is_seeded_and_matches_a_plain_loop():
    rng = np.random.default_rng(5)
    ref = rng.uniform(20, 70, 40)
    pred = ref + rng.normal(0, 5, 40)
    a = agreement(pred, ref, samples=300, seed=11)
    b = agreement(pred, ref, samples=300, seed=11)
    assert a == b
    idx = np.random.default_rng(11).integers(0, 40, size=(300, 40))
    maes = [np.mean(np.abs(pred[i] - ref[i])) for i in idx]
    assert a.mae.low == pytest.approx(np.percentile(maes, 2.5))
    assert a.mae.high == pytest.approx(np.percentile(maes, 97.5))
    for est in (a.mae, a.rmse, a.bias, a.pearson_r, a.r2, a.auc[35.0], a.auc[50.0]):
        assert est.low <= est.value <= est.high
    assert agreement(pred, ref, samples=300, seed=12).mae.low != a.mae.low


def test_tiny_inputs_give_none_not_nan():
    empty = agreement([], [])
    assert empty.n == 0 and empty.mae.value is None and empty.auc[35.0].value is None
    one = agreement([50.0], [55.0])
    assert one.mae.value == 5.0 and one.bias.value == -5.0 and one.mae.low is None
    for est in (one.loa_low, one.pearson_r, one.r2, one.auc[50.0]):
        assert est.value is None
    constant = agreement([50.0, 52.0, 54.0], [60.0, 60.0, 60.0])
    assert constant.r2.value is None and constant.pearson_r.value is None
    assert constant.auc[35.0].value is None  # no reference EF below 35: one class absent
    assert constant.mae.value == pytest.approx(8.0)


def test_missing_predictions_are_excluded_and_counted():
    a = agreement([None, 40.0, float("nan"), 60.0], [30.0, 45.0, 50.0, 65.0])
    assert a.n == 2 and a.excluded == 2
    assert a.mae.value == pytest.approx(5.0)
    with pytest.raises(ValueError):
        agreement([1.0], [1.0, 2.0])


def test_by_band_splits_the_videos_by_reference_ef_and_shows_opposite_biases():
    # a model that compresses EF toward the middle: +6 at a reduced EF, 0 mid-range, -4 at normal EF
    reference = [20.0, 30.0, 34.99, 35.0, 45.0, 49.9, 50.0, 60.0, 70.0, 25.0]
    predicted: list[float | None] = [26.0, 36.0, 40.99, 35.0, 45.0, 49.9, 46.0, 56.0, 66.0, None]
    bands = by_band(predicted, reference, samples=200)
    assert list(bands) == ["ef_below_35", "ef_35_to_50", "ef_50_and_above"]
    low, mid, high = bands.values()
    assert (low.n, low.excluded, mid.n, high.n) == (3, 1, 3, 3)  # 35 and 50 open the next band up
    assert low.bias.value == pytest.approx(6.0) and low.mae.value == pytest.approx(6.0)
    assert mid.bias.value == pytest.approx(0.0) and high.bias.value == pytest.approx(-4.0)
    assert low.auc == {} and low.bias.low == pytest.approx(6.0)  # no AUC within one band; a constant error's CI
    assert agreement(predicted, reference).bias.value == pytest.approx((18 - 12) / 9)  # over all: the ends cancel


def test_by_band_of_an_empty_band_gives_none():
    bands = by_band([60.0, 55.0], [62.0, 58.0])
    assert bands["ef_below_35"].n == 0 and bands["ef_below_35"].mae.value is None
    with pytest.raises(ValueError):
        by_band([60.0], [62.0, 58.0])
