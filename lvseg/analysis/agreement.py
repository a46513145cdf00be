"""Agreement of predicted with reference ejection fraction over videos, with bootstrap 95 % CIs.

With d = predicted - reference (EF points): MAE, RMSE, bias (mean d), the Bland-Altman 95 % limits of
agreement (bias -/+ 1.96 SD of d, ddof 1), Pearson r, R^2 = 1 - sum(d^2) / sum((reference - mean)^2)
(the coefficient of determination of predicted vs reference, sklearn's r2_score, as EchoNet-Dynamic
reports it), and for each threshold (35 % and 50 %) the AUC of predicted EF for detecting reference EF
below it, lower predicted EF meaning "positive" (Mann-Whitney U over average ranks, so a tie counts half).

Each statistic has a seeded percentile bootstrap CI: videos resampled with replacement. A statistic
undefined on the data (a spread from fewer than 2 videos, constant values, a class absent) is None;
resamples where it is undefined are left out of its CI, which is None when every resample is.
Videos without a predicted EF (None or NaN, e.g. no beat found) are excluded and counted.

``by_band`` gives the same statistics within bands of the reference EF (EF_BANDS: reduced, mid-range and normal).
Over all videos a bias can hide errors of opposite sign at the two ends: models that compress EF toward the middle
overstate a reduced EF, the clinically dangerous direction, while understating normal ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy.stats import rankdata

from lvseg.metrics.bootstrap import percentile_ci, resample_indices

LOA_Z = 1.96  # two-sided 95 % normal quantile of the Bland-Altman limits
AUC_THRESHOLDS = (35.0, 50.0)  # reduced (< 35 %) and below-normal (< 50 %) EF
# Bands of the reference EF (low inclusive, high exclusive): the AUC thresholds' three groups.
EF_BANDS: dict[str, tuple[float, float]] = {"ef_below_35": (-np.inf, 35.0), "ef_35_to_50": (35.0, 50.0),
                                             "ef_50_and_above": (50.0, np.inf)}
STATISTICS = ("mae", "rmse", "bias", "loa_low", "loa_high", "pearson_r", "r2")  # Agreement's fields, in order
Statistics = dict[str | float, np.ndarray]  # statistic name, or AUC threshold -> one value per row


@dataclass(frozen=True)
class Estimate:
    """A statistic and its bootstrap CI; any of them None where undefined."""

    value: float | None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Agreement:
    n: int         # videos with both a predicted and a reference EF
    excluded: int  # videos left out: no predicted EF (None or NaN) or no finite reference
    mae: Estimate
    rmse: Estimate
    bias: Estimate
    loa_low: Estimate
    loa_high: Estimate
    pearson_r: Estimate
    r2: Estimate
    auc: dict[float, Estimate]  # threshold (EF %) -> AUC for reference EF below it


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def auc_below(predicted: np.ndarray, reference: np.ndarray, threshold: float) -> np.ndarray:
    """AUC per row of (B, n) arrays: P(a positive's predicted EF < a negative's) + P(tie) / 2.

    Positives are the videos with reference EF below ``threshold``; NaN where a class is absent.
    """
    positive = reference < threshold
    n_pos = positive.sum(axis=1)
    n_neg = positive.shape[1] - n_pos
    ranks = rankdata(-predicted, axis=1)  # rank 1 = highest EF; a positive should rank high
    u = np.where(positive, ranks, 0.0).sum(axis=1) - n_pos * (n_pos + 1) / 2.0
    return _ratio(u, (n_pos * n_neg).astype(np.float64))


def statistics(predicted: np.ndarray, reference: np.ndarray,
               thresholds: Sequence[float] = AUC_THRESHOLDS) -> Statistics:
    """Every statistic for each row of (B, n) arrays, as name -> (B,) array (NaN where undefined)."""
    n = predicted.shape[1]
    d = predicted - reference
    bias = d.mean(axis=1)
    sd = np.sqrt(((d - bias[:, None]) ** 2).sum(axis=1) / (n - 1)) if n > 1 else np.full(len(d), np.nan)
    pc = predicted - predicted.mean(axis=1, keepdims=True)
    rc = reference - reference.mean(axis=1, keepdims=True)
    ss_ref = (rc**2).sum(axis=1)
    out: Statistics = {
        "mae": np.abs(d).mean(axis=1),
        "rmse": np.sqrt((d**2).mean(axis=1)),
        "bias": bias,
        "loa_low": bias - LOA_Z * sd,
        "loa_high": bias + LOA_Z * sd,
        "pearson_r": _ratio((pc * rc).sum(axis=1), np.sqrt((pc**2).sum(axis=1) * ss_ref)),
        "r2": 1.0 - _ratio((d**2).sum(axis=1), ss_ref),
    }
    for t in thresholds:
        out[float(t)] = auc_below(predicted, reference, t)
    return out


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def agreement(predicted: Sequence[float | None], reference: Sequence[float], samples: int = 1000, seed: int = 0,
              level: float = 0.95, thresholds: Sequence[float] = AUC_THRESHOLDS) -> Agreement:
    """Agreement statistics of per-video predicted vs reference EF (%), with percentile bootstrap CIs."""
    pred = np.array([np.nan if p is None else float(p) for p in predicted], dtype=np.float64)
    ref = np.asarray(reference, dtype=np.float64)
    if pred.shape != ref.shape:
        raise ValueError(f"{len(pred)} predicted EFs for {len(ref)} reference EFs")
    keep = np.isfinite(pred) & np.isfinite(ref)
    pred, ref = pred[keep], ref[keep]
    n = len(pred)
    names: list[str | float] = [*STATISTICS, *map(float, thresholds)]
    if n == 0:
        point = {k: np.array([np.nan]) for k in names}
    else:
        point = statistics(pred[None], ref[None], thresholds)
    boot = None
    if n >= 2:
        idx = resample_indices(n, samples, seed)
        boot = statistics(pred[idx], ref[idx], thresholds)

    def estimate(name: str | float) -> Estimate:
        value = _finite(point[name][0])
        if value is None or boot is None or not np.isfinite(boot[name]).any():
            return Estimate(value)
        return Estimate(value, *percentile_ci(boot[name], level))

    return Agreement(n, int((~keep).sum()), **{name: estimate(name) for name in STATISTICS},
                     auc={float(t): estimate(float(t)) for t in thresholds})


def by_band(predicted: Sequence[float | None], reference: Sequence[float], samples: int = 1000, seed: int = 0,
            level: float = 0.95) -> dict[str, Agreement]:
    """``agreement`` within each band of EF_BANDS of the reference EF (no AUC: one class only); the videos of a band
    with no predicted EF are its ``excluded``."""
    ref = np.asarray(reference, dtype=np.float64)
    if len(predicted) != len(ref):
        raise ValueError(f"{len(predicted)} predicted EFs for {len(ref)} reference EFs")
    out = {}
    for name, (low, high) in EF_BANDS.items():
        inside = [int(i) for i in np.flatnonzero((ref >= low) & (ref < high))]
        out[name] = agreement([predicted[i] for i in inside], [float(ref[i]) for i in inside], samples, seed, level,
                              thresholds=())
    return out
