"""Training on frames as `lvseg analyze` shows them: each less a share of its video's static clutter floor.

`lvseg analyze` and `lvseg stream` take a share (``--declutter``, default lvseg.inference.declutter.DEFAULT_STRENGTH)
of every pixel's clutter floor off each frame before a model sees it; a model trained on frames as recorded has
never seen such frames, and the share that helps a hazed clip (0.7-0.9) costs it on clips without haze. With
``lvseg train --declutter MAX`` each TRAIN frame loses a share drawn uniformly from [0, MAX], so one model meets
every share up to MAX, none included, and VAL frames lose MAX / 2, the draw's mean. The floor is stored with
each frame since records schema version 3 (lvseg.records.schema ``clutter_floor``): records hold single frames,
and the floor is a property of the whole video.
"""

from __future__ import annotations

import numpy as np

from lvseg.tf_backend import tf

FLOOR = "clutter_floor"


def declutter_tf(images: tf.Tensor, floors: tf.Tensor, shares: tf.Tensor) -> tf.Tensor:
    """lvseg.inference.declutter.declutter in TF ops, one share per frame: uint8 (B, H, W) images less
    ``shares`` (B,) times their float32 (B, H, W) floors, clipped at 0 and truncated to uint8 as numpy casts."""
    lowered = tf.cast(images, tf.float32) - shares[:, None, None] * floors
    return tf.cast(tf.clip_by_value(lowered, 0.0, 255.0), tf.uint8)


def declutter_batch(batch: dict, seed: tf.Tensor, max_share: float) -> dict:
    """A parsed uint8 batch whose images lost a share in [0, ``max_share``] of their floors (stateless draw
    from ``seed``); the floors are dropped."""
    shares = tf.random.stateless_uniform(tf.shape(batch[FLOOR])[:1], seed=seed, minval=0.0, maxval=max_share)
    return _lose_floors(batch, shares)


def declutter_fixed(batch: dict, share: float) -> dict:
    """A parsed uint8 batch whose images lost ``share`` of their floors (VAL); the floors are dropped."""
    return _lose_floors(batch, tf.fill(tf.shape(batch[FLOOR])[:1], np.float32(share)))


def _lose_floors(batch: dict, shares: tf.Tensor) -> dict:
    out = dict(batch)
    out["image"] = declutter_tf(batch["image"], out.pop(FLOOR), shares)
    return out
