"""Domain randomization from the label map, in the SynthSeg way (Billot et al., Medical Image Analysis 2023).

Per clip every class gets a random mean intensity and texture strength, including implausible ones
(bright blood, dark walls); the four blood pools share one mean (plus a little jitter) so that colour
alone never tells the LV from the other cavities. The image is then blurred by a random amount, multiplied
by a smooth random bias field, passed through a random gamma and given additive noise. The texture
is a smoothed Gaussian field that decorrelates slowly over the clip. A network trained on such
images cannot rely on any one appearance; only shape and context are stable.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lvseg.synth import labels as L
from lvseg.synth.bmode import smooth_field
from lvseg.synth.style import Look


@dataclass(frozen=True)
class Randomizer:
    """One clip's randomized appearance (on the label raster)."""

    means: np.ndarray     # (classes,) in [0, 1]
    spreads: np.ndarray   # (classes,) texture std
    fields: np.ndarray    # (2, H, W) unit-std smooth texture fields, mixed per frame
    phase: float
    bias: np.ndarray      # (H, W) multiplicative bias field
    blur: float           # Gaussian sigma, raster px
    gamma: float
    noise: float


def make_randomizer(look: Look, raster_shape: tuple[int, int], raster_k: int, rng: np.random.Generator) -> Randomizer:
    """Draw one clip's class intensities, texture, bias field, blur, gamma and noise."""
    n = len(L.CLASSES)
    means = rng.uniform(0.0, 1.0, n)
    blood = list(L.BLOOD_CLASSES)
    means[blood] = np.clip(rng.uniform(0.0, 1.0) + rng.uniform(-0.08, 0.08, len(blood)), 0.0, 1.0)
    # leaflets fade into the blood around them as the clip's valve visibility falls
    vis = np.float32(look.valve_visibility)
    means[[L.MITRAL, L.TRICUSPID]] = vis * means[[L.MITRAL, L.TRICUSPID]] + (1 - vis) * means[L.LA_BLOOD]
    spreads = rng.uniform(0.0, 0.2, n)
    grain = rng.uniform(0.4, 2.0) * raster_k * look.scale
    fields = np.stack([smooth_field(rng, raster_shape, (grain, grain)) for _ in range(2)])
    coarse = rng.standard_normal((4, 4)).astype(np.float32)
    bias = cv2.resize(coarse, (raster_shape[1], raster_shape[0]), interpolation=cv2.INTER_CUBIC)
    bias = np.exp(look.dr_bias * bias).astype(np.float32)
    return Randomizer(means.astype(np.float32), spreads.astype(np.float32), fields, float(rng.uniform(0, 6.3)), bias,
                      look.dr_blur * raster_k, look.dr_gamma, look.dr_noise)


def randomized_image(rz: Randomizer, labels: np.ndarray, frame: int, out_shape: tuple[int, int],
                     rng: np.random.Generator) -> np.ndarray:
    """float32 (H, W) image in [0, 1] on the output grid from one frame's label raster."""
    a = rz.phase + 0.08 * frame
    texture = np.float32(np.cos(a)) * rz.fields[0] + np.float32(np.sin(a)) * rz.fields[1]
    image = rz.means[labels] + rz.spreads[labels] * texture
    if rz.blur > 0.05:
        image = cv2.GaussianBlur(image, (0, 0), rz.blur)
    image = np.clip(image * rz.bias, 0.0, 1.0) ** np.float32(rz.gamma)
    small = cv2.resize(image, (out_shape[1], out_shape[0]), interpolation=cv2.INTER_AREA)
    small += rng.standard_normal(out_shape).astype(np.float32) * np.float32(rz.noise)
    return np.clip(small, 0.0, 1.0)
