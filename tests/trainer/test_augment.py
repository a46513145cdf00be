"""Augmentation keeps image, mask, heatmaps and landmarks aligned; the flip keeps channel meaning."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lvseg.geometry.base import base_band, base_line
from lvseg.geometry.disks import tracing_from_contour
from lvseg.geometry.heatmaps import decode_heatmaps, quantize_heatmaps, render_heatmaps
from lvseg.geometry.landmarks import flip_permutation, landmarks
from lvseg.geometry.mask import Tracing, tracing_mask
from lvseg.geometry.spline import mask_from_landmarks
from lvseg.metrics.dice import dice
from lvseg.tf_backend import tf
from trainer import appearance
from trainer.augment import AugmentParams, affine_matrices, augment_batch, move_base, transform_points, warp
from trainer.data import render_heatmaps_tf

SCHEME = "contour12"


def egg_tracing(cx=58.0, cy=52.0, a=30.0, b=13.0, angle_deg=72.0) -> Tracing:
    """An asymmetric LV-like outline (wider at the base), apex at the top: a flip or a shift shows."""
    th = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    x, y = a * np.cos(th), b * np.sin(th) * (1.0 + 0.35 * np.cos(th))
    ang = math.radians(angle_deg)
    c, s = math.cos(ang), math.sin(ang)
    contour = np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)
    apex, base = np.array([cx - a * c, cy - a * s]), np.array([cx + a * c, cy + a * s])
    return tracing_from_contour(contour, apex, base)


def sample_batch(scheme: str = SCHEME, copies: int = 8) -> dict:
    tracing = egg_tracing()
    points = landmarks(tracing, scheme).astype(np.float32)
    mask = tracing_mask(tracing).astype(np.float32)
    heatmaps = quantize_heatmaps(render_heatmaps(points)).astype(np.float32) / 255.0
    image = 0.8 * mask + 0.1  # bright LV on a grey background, so the image shows the shape too
    stack = lambda a: tf.constant(np.repeat(a[None], copies, axis=0))  # noqa: E731
    return {"image": stack(image[..., None]), "mask": stack(mask[..., None]), "landmarks": stack(points),
            "heatmaps": stack(heatmaps)}


NO_APPEARANCE = dict(gain=0.0, gamma=0.0, speckle=0.0, curve=0.0, bias=0.0, blur=0.0, haze=0.0, noise=0.0,
                     dropout=0.0)
STRONG = AugmentParams(rotation_deg=20.0, zoom=0.2, shift=0.05, flip=True, **NO_APPEARANCE)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_image_mask_heatmaps_and_landmarks_stay_aligned(seed):
    batch = sample_batch()
    out = augment_batch(batch, tf.constant([seed, 7], tf.int64), STRONG, flip_permutation(SCHEME))
    points = out["landmarks"].numpy()
    for i in range(points.shape[0]):
        warped_mask = out["mask"].numpy()[i, :, :, 0]
        assert set(np.unique(warped_mask)) <= {0.0, 1.0}  # nearest neighbour keeps a binary mask
        # the mask rebuilt from the moved landmarks covers the moved mask
        assert dice(mask_from_landmarks(points[i]), warped_mask) > 0.93
        # the image moved with the mask (bright inside, grey outside)
        assert dice(out["image"].numpy()[i, :, :, 0] > 0.5, warped_mask) > 0.97
        # each warped heatmap still peaks at its (reordered) landmark
        decoded, _ = decode_heatmaps(out["heatmaps"].numpy()[i])
        np.testing.assert_allclose(decoded, points[i], atol=0.6)


def banded_batch(copies: int = 8) -> dict:
    """sample_batch plus the base line and its 12-px band (trainer.data draws the band before augmenting)."""
    tracing = egg_tracing()
    base = base_line(tracing).astype(np.float32)
    band = base_band(base, tracing_mask(tracing), 12.0).astype(np.float32)
    batch = sample_batch(copies=copies)
    batch["base"] = tf.constant(np.repeat(base[None], copies, axis=0))
    batch["base_band"] = tf.constant(np.repeat(band[None, ..., None], copies, axis=0))
    return batch


@pytest.mark.parametrize("seed", [0, 1])
def test_base_points_and_band_move_with_the_mask(seed):
    batch = banded_batch()
    assert batch["base_band"].numpy().sum() > 100
    # no zoom, so the warped band keeps its depth in pixels
    turns = AugmentParams(rotation_deg=20.0, zoom=0.0, shift=0.05, flip=True, **NO_APPEARANCE)
    out = augment_batch(batch, tf.constant([seed, 11], tf.int64), turns, flip_permutation(SCHEME))
    for i in range(8):
        base, mask, band = out["base"].numpy()[i], out["mask"].numpy()[i, :, :, 0], out["base_band"].numpy()[i, :, :, 0]
        assert base[0] <= base[2]  # image-left hinge first, flipped or not
        assert set(np.unique(band)) <= {0.0, 1.0} and not (band * mask).any()
        # the band drawn anew from the moved base line and the moved mask is the warped band
        assert dice(base_band(base, mask, 12.0), band) > 0.9


def test_move_base_follows_a_flip_and_keeps_the_left_hinge_first():
    forward = affine_matrices(tf.constant([0.0]), tf.constant([1.0]), tf.constant([True]), tf.zeros([1, 2]),
                              (112, 112))
    moved = move_base(tf.constant([[30.0, 90.0, 70.0, 80.0]]), forward).numpy()[0]
    np.testing.assert_allclose(moved, [111.0 - 70.0, 80.0, 111.0 - 30.0, 90.0], atol=1e-4)
    half_turn = affine_matrices(tf.constant([math.pi]), tf.constant([1.0]), tf.constant([False]), tf.zeros([1, 2]),
                                (112, 112))
    turned = move_base(tf.constant([[30.0, 90.0, 70.0, 80.0]]), half_turn).numpy()[0]
    np.testing.assert_allclose(turned, [111.0 - 70.0, 111.0 - 80.0, 111.0 - 30.0, 111.0 - 90.0], atol=1e-4)


def test_flip_reorders_channels_to_the_canonical_traversal():
    """A flipped sample's landmarks equal the scheme's landmarks of the mirrored tracing, channel by channel."""
    tracing = egg_tracing()
    mirrored = Tracing(111.0 - tracing.x1, tracing.y1, 111.0 - tracing.x2, tracing.y2)
    for scheme in ("contour12", "contour16", "seed6"):
        points = landmarks(tracing, scheme)
        forward = affine_matrices(tf.constant([0.0]), tf.constant([1.0]), tf.constant([True]),
                                  tf.zeros([1, 2]), (112, 112))
        moved = transform_points(tf.constant(points[None], tf.float32), forward).numpy()[0]
        np.testing.assert_allclose(moved[flip_permutation(scheme)], landmarks(mirrored, scheme), atol=1e-3,
                                   err_msg=scheme)


def test_flipped_batch_keeps_apex_first_and_left_wall_second():
    params = AugmentParams(rotation_deg=0.0, zoom=0.0, flip=True, **NO_APPEARANCE)
    out = augment_batch(sample_batch(copies=16), tf.constant([3, 4], tf.int64), params, flip_permutation(SCHEME))
    points = out["landmarks"].numpy()
    flipped = points[:, 0, 0] != sample_batch(copies=1)["landmarks"].numpy()[0, 0, 0]
    assert flipped.any() and (~flipped).any()  # both kinds drawn
    for p in points:
        assert p[0, 1] == p[:, 1].min() or abs(p[0, 1] - p[:, 1].min()) < 2.0  # apex on top
        assert p[1, 0] < p[-1, 0]  # the point after the apex is on the image-left wall


def test_warp_with_identity_is_exact_and_points_follow_a_known_rotation():
    batch = sample_batch(copies=1)
    identity = tf.eye(3)[None]
    np.testing.assert_allclose(warp(batch["image"], identity, "BILINEAR").numpy(), batch["image"].numpy(), atol=1e-6)
    # 90 degrees about the centre: (x, y) -> (c + c - y, x), c = 55.5
    forward = affine_matrices(tf.constant([math.pi / 2]), tf.constant([1.0]), tf.constant([False]),
                              tf.zeros([1, 2]), (112, 112))
    moved = transform_points(tf.constant([[[10.0, 20.0]]]), forward).numpy()[0, 0]
    np.testing.assert_allclose(moved, [111.0 - 20.0, 10.0], atol=1e-4)
    spot = np.zeros((1, 112, 112, 1), np.float32)
    spot[0, 20, 10, 0] = 1.0  # row 20, column 10
    rotated = warp(tf.constant(spot), forward, "NEAREST").numpy()[0, :, :, 0]
    assert rotated[10, 91] == 1.0


def test_intensity_jitter_is_bounded_and_seeded():
    params = AugmentParams(rotation_deg=0.0, zoom=0.0, flip=False, gain=0.2, gamma=0.3, speckle=0.1)
    batch = sample_batch(copies=4)
    a = augment_batch(batch, tf.constant([1, 2], tf.int64), params, flip_permutation(SCHEME))
    b = augment_batch(batch, tf.constant([1, 2], tf.int64), params, flip_permutation(SCHEME))
    c = augment_batch(batch, tf.constant([1, 3], tf.int64), params, flip_permutation(SCHEME))
    np.testing.assert_array_equal(a["image"].numpy(), b["image"].numpy())
    assert not np.array_equal(a["image"].numpy(), c["image"].numpy())
    assert a["image"].numpy().min() >= 0.0 and a["image"].numpy().max() <= 1.0
    np.testing.assert_array_equal(a["mask"].numpy(), batch["mask"].numpy())  # geometry untouched
    np.testing.assert_allclose(a["landmarks"].numpy(), batch["landmarks"].numpy(), atol=1e-4)


def test_rendered_targets_reproduce_the_stored_heatmaps():
    points = landmarks(egg_tracing(), "contour16")
    stored = quantize_heatmaps(render_heatmaps(points, sigma=5.0)).astype(np.float32) / 255.0
    rendered = render_heatmaps_tf(tf.constant(points[None], tf.float32), 5.0).numpy()[0]
    assert np.abs(rendered - stored).max() <= 1.0 / 255.0 + 1e-6


# appearance transforms (trainer.appearance): each does what it says and leaves the targets alone
def _noise_images(copies: int = 4) -> tf.Tensor:
    rng = np.random.default_rng(0)
    image = np.clip(0.4 + 0.2 * rng.standard_normal((copies, 112, 112, 1)), 0, 1).astype(np.float32)
    image[:, :, :20] = 0.0  # a black band, as outside the sector
    return tf.constant(image)


def test_random_curve_is_monotone_and_off_at_zero():
    ramp = tf.constant(np.tile(np.linspace(0, 1, 112, dtype=np.float32), (4, 112, 1))[..., None])
    curved = appearance.random_curve(ramp, tf.constant([1, 2], tf.int64), 0.5).numpy()
    assert np.all(np.diff(curved[:, 0, :, 0], axis=1) >= -1e-6) and curved.min() >= 0 and curved.max() <= 1
    assert np.abs(curved - ramp.numpy()).max() > 0.05
    np.testing.assert_allclose(appearance.random_curve(ramp, tf.constant([1, 2], tf.int64), 0.0).numpy(),
                               ramp.numpy(), atol=1e-5)


def test_bias_field_is_a_smooth_positive_gain():
    flat = tf.fill([4, 112, 112, 1], 0.5)
    gain = appearance.bias_field(flat, tf.constant([3, 4], tf.int64), 0.5).numpy() / 0.5
    assert gain.min() > 0 and gain.std() > 0.02
    assert np.abs(np.diff(gain, axis=1)).max() < 0.05  # smooth: no jump between neighbouring pixels


def test_blur_smooths_and_keeps_the_mean():
    images = _noise_images()
    blurred = appearance.gaussian_blur(images, tf.constant([5, 6], tf.int64), 2.0).numpy()
    inner = (slice(None), slice(30, 80), slice(40, 90))
    assert blurred[inner].std() < images.numpy()[inner].std()
    assert blurred[inner].mean() == pytest.approx(images.numpy()[inner].mean(), abs=0.01)


def test_haze_brightens_the_near_field_inside_the_sector_only():
    images = _noise_images()
    hazy = appearance.near_field_haze(images, tf.constant([7, 8], tf.int64), 0.8).numpy()
    added = hazy - images.numpy()
    assert added.min() >= 0 and added[:, :20, 40:].mean() > 2 * added[:, -20:, 40:].mean()
    assert np.all(hazy[:, :, :16] == 0.0)  # far from any non-black pixel: still black


def test_noise_is_bounded_by_its_maximum():
    images = tf.fill([8, 112, 112, 1], 0.5)
    noisy = appearance.additive_noise(images, tf.constant([9, 1], tf.int64), 0.05).numpy()
    assert 0.0 < (noisy - 0.5).std(axis=(1, 2, 3)).max() <= 0.05 * 1.05


def test_default_appearance_changes_images_not_targets_and_is_seeded():
    params = AugmentParams(rotation_deg=0.0, zoom=0.0, flip=False)  # geometry off, appearance on by default
    assert params.curve > 0 and params.bias > 0 and params.blur > 0 and params.haze > 0 and params.noise > 0
    batch = sample_batch(copies=4)
    a = augment_batch(batch, tf.constant([4, 4], tf.int64), params, flip_permutation(SCHEME))
    b = augment_batch(batch, tf.constant([4, 4], tf.int64), params, flip_permutation(SCHEME))
    np.testing.assert_array_equal(a["image"].numpy(), b["image"].numpy())
    assert np.abs(a["image"].numpy() - batch["image"].numpy()).mean() > 0.01
    np.testing.assert_array_equal(a["mask"].numpy(), batch["mask"].numpy())
    np.testing.assert_array_equal(a["heatmaps"].numpy(), batch["heatmaps"].numpy())
    np.testing.assert_allclose(a["landmarks"].numpy(), batch["landmarks"].numpy(), atol=1e-4)
