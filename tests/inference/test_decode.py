"""The mask output rule: LV where the probability exceeds the threshold, nothing else."""

import numpy as np

from lvseg.inference.decode import MASK_THRESHOLD, segment, threshold_mask
from tests.geometry.test_waist import atrium, ventricle


def test_the_mask_rule_is_the_threshold_alone():
    leaky = ventricle(10.0) | atrium(10.0)  # the rule keeps a leak's shape: the waist cut is not part of it
    probability = np.where(leaky, 0.9, 0.1).astype(np.float32)[:, :, None]
    probability[5:8, 5:8] = 0.8
    mask = segment("mask", probability).mask
    assert mask.dtype == np.uint8 and np.array_equal(mask, threshold_mask(probability[:, :, 0]))
    assert mask.sum() == leaky.sum() + 9
    assert np.array_equal(threshold_mask(np.array([MASK_THRESHOLD, MASK_THRESHOLD + 1e-6])), [0, 1])
