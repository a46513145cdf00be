"""On-the-fly augmentation of training batches, as in the study: rotation, zoom, horizontal flip; plus intensity jitter.

Geometry: one affine matrix per sample (rotation up to ``rotation_deg``, zoom by a factor in
[1 - zoom, 1 + zoom], optional translation, optional horizontal flip, all about the frame centre) is
applied with ``tf.raw_ops.ImageProjectiveTransformV3`` to the image (bilinear), the mask (nearest) and
the stored heatmaps when present (bilinear), and as plain matrix algebra to the landmark coordinates,
so all four stay aligned; the mask model's base band (trainer.data) is warped like the mask, and the base
line's two hinge points move like the landmarks (image-left first afterwards too). Coordinates follow
lvseg.geometry: x = column, y = row, integer = pixel centre.

The flip: after mirroring, the image-left wall becomes the image-right one, so the canonical traversal
(apex, image-left wall, base, image-right wall) would run backwards. Landmark and heatmap channels are
therefore reordered with ``lvseg.geometry.flip_permutation(scheme)``: channel i keeps meaning "the i-th
point of the canonical traversal" of the flipped picture. A flip also mirrors the anatomy (the septum
moves to the image right, which a real apical four-chamber view never shows). The study flipped anyway,
so the flip is on by default; ``--no-flip`` switches it off.

Intensity: gain (x * g), gamma (x ** gamma, log-uniform) and multiplicative speckle (x * (1 + s * N(0, 1)))
on the [0, 1] image, clipped back to [0, 1]; then the appearance transforms of trainer.appearance
(random intensity curve, bias field, blur, near-field haze, additive noise), each on by default and
switched off by a max of 0. Masks, heatmaps and landmarks are unaffected.

Every random draw is stateless, seeded by (seed, epoch, batch index): the same flags give the same
batches, also after a restart from a backup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lvseg.tf_backend import tf
from trainer.appearance import AppearanceParams, appearance


@dataclass(frozen=True)
class AugmentParams:
    rotation_deg: float = 20.0
    zoom: float = 0.2
    shift: float = 0.0
    flip: bool = True
    gain: float = 0.15
    gamma: float = 0.25
    speckle: float = 0.05
    curve: float = AppearanceParams.curve
    bias: float = AppearanceParams.bias
    blur: float = AppearanceParams.blur
    haze: float = AppearanceParams.haze
    noise: float = AppearanceParams.noise
    dropout: float = AppearanceParams.dropout

    @property
    def appearance(self) -> AppearanceParams:
        return AppearanceParams(self.curve, self.bias, self.blur, self.haze, self.noise, self.dropout)


def affine_matrices(angle: tf.Tensor, scale: tf.Tensor, flip: tf.Tensor, shift: tf.Tensor,
                    size: tuple[int, int]) -> tf.Tensor:
    """Forward (input -> output pixel) 3x3 matrices (B, 3, 3): p' = c + t + scale * R(angle) * F * (p - c).

    ``angle`` radians (B,), ``scale`` (B,), ``flip`` bool (B,) mirrors x about the centre, ``shift`` (B, 2)
    pixels; c is the frame centre ((W - 1) / 2, (H - 1) / 2).
    """
    h, w = size
    cos, sin = tf.cos(angle) * scale, tf.sin(angle) * scale
    fx = tf.where(flip, -1.0, 1.0)
    a = tf.stack([tf.stack([cos * fx, -sin], -1), tf.stack([sin * fx, cos], -1)], -2)  # (B, 2, 2)
    centre = tf.constant([(w - 1) / 2.0, (h - 1) / 2.0], tf.float32)
    b = centre + shift - tf.linalg.matvec(a, tf.broadcast_to(centre, tf.shape(shift)))
    top = tf.concat([a, b[:, :, None]], axis=-1)  # (B, 2, 3)
    bottom = tf.broadcast_to(tf.constant([[0.0, 0.0, 1.0]]), [tf.shape(top)[0], 1, 3])
    return tf.concat([top, bottom], axis=1)


def warp(images: tf.Tensor, forward: tf.Tensor, interpolation: str) -> tf.Tensor:
    """Resample (B, H, W, C) float images through forward matrices (B, 3, 3); outside the frame is 0."""
    inverse = tf.linalg.inv(forward)
    inverse = inverse / inverse[:, 2:3, 2:3]
    transforms = tf.reshape(inverse, [-1, 9])[:, :8]  # maps output pixel -> input pixel, as the op wants
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=tf.shape(images)[1:3], fill_value=0.0,
        interpolation=interpolation, fill_mode="CONSTANT")


def transform_points(points: tf.Tensor, forward: tf.Tensor) -> tf.Tensor:
    """(B, K, 2) (x, y) points through forward matrices (B, 3, 3)."""
    return tf.einsum("bij,bkj->bki", forward[:, :2, :2], points) + forward[:, None, :2, 2]


def move_base(base: tf.Tensor, forward: tf.Tensor) -> tf.Tensor:
    """(B, 4) base lines [x_left, y_left, x_right, y_right] through forward matrices, re-ordered image-left first
    (a flip or a large rotation swaps the hinges), ties in x broken by y as lvseg.geometry.base.base_line does."""
    points = transform_points(tf.reshape(base, [-1, 2, 2]), forward)
    first, second = points[:, 0], points[:, 1]
    swap = (first[:, 0] > second[:, 0]) | ((first[:, 0] == second[:, 0]) & (first[:, 1] > second[:, 1]))
    return tf.reshape(tf.where(swap[:, None, None], points[:, ::-1], points), [-1, 4])


def _uniform(seed: tf.Tensor, shape, low: float, high: float) -> tf.Tensor:
    return tf.random.stateless_uniform(shape, seed=seed, minval=low, maxval=high)


def random_geometry(seed: tf.Tensor, batch: tf.Tensor, size: tuple[int, int], params: AugmentParams) -> tf.Tensor:
    """Forward matrices (B, 3, 3) drawn from ``params`` with a stateless seed (shape [2])."""
    seeds = tf.random.experimental.stateless_split(seed, 4)
    limit = math.radians(params.rotation_deg)
    angle = _uniform(seeds[0], [batch], -limit, limit)
    scale = _uniform(seeds[1], [batch], 1.0 - params.zoom, 1.0 + params.zoom)
    flip = _uniform(seeds[2], [batch], 0.0, 1.0) < (0.5 if params.flip else 0.0)
    span = tf.constant([size[1] * params.shift, size[0] * params.shift], tf.float32)
    shift = _uniform(seeds[3], [batch, 2], -1.0, 1.0) * span
    return affine_matrices(angle, scale, flip, shift, size)


def is_flipped(forward: tf.Tensor) -> tf.Tensor:
    """Whether each matrix mirrors the picture (negative determinant)."""
    return tf.linalg.det(forward[:, :2, :2]) < 0


def reorder_flipped(values: tf.Tensor, flipped: tf.Tensor, permutation: np.ndarray, axis: int) -> tf.Tensor:
    """Apply the scheme's flip permutation along ``axis`` to the flipped samples of a batch."""
    permuted = tf.gather(values, permutation, axis=axis)
    mask = tf.reshape(flipped, [-1] + [1] * (len(values.shape) - 1))
    return tf.where(mask, permuted, values)


def jitter_intensity(images: tf.Tensor, seed: tf.Tensor, params: AugmentParams) -> tf.Tensor:
    """Gain, gamma and multiplicative speckle on (B, H, W, 1) images in [0, 1]."""
    seeds = tf.random.experimental.stateless_split(seed, 3)
    batch = tf.shape(images)[0]
    gain = _uniform(seeds[0], [batch, 1, 1, 1], 1.0 - params.gain, 1.0 + params.gain)
    log_gamma = math.log1p(params.gamma)
    gamma = tf.exp(_uniform(seeds[1], [batch, 1, 1, 1], -log_gamma, log_gamma))
    noise = 1.0 + params.speckle * tf.random.stateless_normal(tf.shape(images), seed=seeds[2])
    return tf.clip_by_value(tf.pow(images, gamma) * gain * noise, 0.0, 1.0)


def augment_batch(batch: dict, seed: tf.Tensor, params: AugmentParams, flip_permutation: np.ndarray) -> dict:
    """Augment a batch dict: ``image`` (B, H, W, 1) float, ``mask`` (B, H, W, 1) float, ``landmarks`` (B, K, 2),
    optional ``heatmaps`` (B, H, W, K) float, ``base`` (B, 4) and ``base_band`` (B, H, W, 1) float. Returns a new
    dict with the same keys."""
    geometry_seed, intensity_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    image = batch["image"]
    size = (int(image.shape[1]), int(image.shape[2]))
    forward = random_geometry(geometry_seed, tf.shape(image)[0], size, params)
    flipped = is_flipped(forward)
    out = dict(batch)
    jittered = jitter_intensity(warp(image, forward, "BILINEAR"), intensity_seed, params)
    # a seed derived from the intensity one: the geometry and jitter draws stay what they were
    out["image"] = appearance(jittered, tf.random.experimental.stateless_fold_in(intensity_seed, 1), params.appearance)
    out["mask"] = warp(batch["mask"], forward, "NEAREST")
    if "base_band" in batch:
        out["base_band"] = warp(batch["base_band"], forward, "NEAREST")
    if "base" in batch:
        out["base"] = move_base(batch["base"], forward)
    out["landmarks"] = reorder_flipped(transform_points(batch["landmarks"], forward), flipped, flip_permutation, 1)
    if "heatmaps" in batch:
        heatmaps = warp(batch["heatmaps"], forward, "BILINEAR")
        out["heatmaps"] = reorder_flipped(heatmaps, flipped, flip_permutation, 3)
    return out
