"""lvseg.metrics.bootstrap: seeded resampling and the percentile interval both reports use."""

import numpy as np
import pytest

from lvseg.metrics.bootstrap import percentile_ci, resample_indices


def test_resampling_is_seeded_and_in_range():
    a, b = resample_indices(7, 50, seed=3), resample_indices(7, 50, seed=3)
    assert a.shape == (50, 7) and np.array_equal(a, b) and a.min() >= 0 and a.max() <= 6
    assert not np.array_equal(a, resample_indices(7, 50, seed=4))


def test_percentile_interval_ignores_nan_resamples():
    values = np.concatenate([np.arange(101, dtype=float), [np.nan] * 10])
    assert percentile_ci(values, 0.9) == pytest.approx((5.0, 95.0))
    assert percentile_ci(np.arange(101, dtype=float)) == pytest.approx((2.5, 97.5))
