"""The mask output rule: threshold, largest component, cut at the annulus when the mask runs into the atrium."""

import numpy as np

from lvseg.inference.decode import MASK_THRESHOLD, segment, threshold_mask
from tests.geometry.test_waist import atrium, ventricle


def test_a_probability_map_that_leaks_into_the_atrium_is_cut_at_the_annulus():
    lv, la = ventricle(10.0), atrium(10.0)
    probability = np.where(lv | la, 0.9, 0.1).astype(np.float32)[:, :, None]
    probability[5:8, 5:8] = 0.8  # a speck apart from the ventricle
    mask = segment("mask", probability).mask
    assert mask.dtype == np.uint8 and abs(int(mask.sum()) - int(lv.sum())) <= 0.05 * lv.sum()
    assert not mask[5:8, 5:8].any()


def test_a_ventricle_alone_is_the_thresholded_map():
    lv = ventricle()
    probability = np.where(lv, 0.7, 0.2).astype(np.float32)
    assert np.array_equal(segment("mask", probability).mask, threshold_mask(probability))
    assert np.array_equal(threshold_mask(np.array([MASK_THRESHOLD, MASK_THRESHOLD + 1e-6])), [0, 1])
