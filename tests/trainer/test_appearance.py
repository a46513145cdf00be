"""trainer.appearance.wall_dropout: a wedge of the sector darkened over a band of depths, nothing else."""

from __future__ import annotations

import numpy as np

from lvseg.tf_backend import tf
from trainer import appearance


def test_wall_dropout_darkens_one_narrow_wedge_and_leaves_the_rest():
    images = tf.fill([16, 112, 112, 1], 0.6)
    out = appearance.wall_dropout(images, tf.constant([3, 4], tf.int64), 1.0).numpy()[..., 0]
    assert out.max() <= 0.6 + 1e-6 and out.min() >= 0.0
    lost = out < 0.59
    share = lost.mean(axis=(1, 2))
    assert share.max() < 0.12  # a wedge of at most 12 degrees over part of the depth
    assert (share > 0).mean() > 0.9  # (almost) every image gets one, of its own strength
    for image, where in zip(out, lost):
        if where.sum() < 20:
            continue
        rows, cols = np.nonzero(where)
        assert rows.min() > 0.15 * 112  # never the near field at the probe
        # a wedge seen from the probe at the top centre: the lost pixels span few beam angles
        angles = np.arctan2(cols - 55.5, rows + 3.4)
        assert np.ptp(angles) < np.radians(14)


def test_wall_dropout_at_zero_strength_changes_nothing():
    images = tf.random.stateless_uniform([4, 112, 112, 1], seed=[1, 2])
    out = appearance.wall_dropout(images, tf.constant([5, 6], tf.int64), 0.0)
    np.testing.assert_allclose(out.numpy(), images.numpy())
