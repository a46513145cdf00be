"""Ultrasound appearance: turn chamber contours into B-mode frames (fan, speckle, attenuation, drop-out).

A frame is a reflectivity map that is then "imaged":
  reflectivity  dark blood in every cavity; around the LV a grey trabecular zone, then the bright
                compact-myocardium echo a few px OUTSIDE the traced endocardial border (farther at ES,
                when the wall is thicker), then the epicardium/pericardium; textured tissue elsewhere,
                darker outside the heart; thin walls around the RV and atria; annulus hinges and faint
                mitral leaflets (closed in systole, open while the LV fills);
  specular loss wall echoes are weighted by |cos| of the angle between the beam and the wall normal,
                so walls parallel to the beam (septum, lateral wall) drop out, plus random weak patches;
  imaging       a small Gaussian point spread; multiplicative Rayleigh speckle, spatially correlated
                and slowly decorrelating over time; depth attenuation with partial gain compensation;
                additive near-field clutter that fades with depth and hazes the LV apex;
  display       power-law compression, per-video gain, black outside the sector.
The reflectivity depends only on the LV state c (and the valve also on whether the LV is filling),
so long clips render it at LEVELS + 1 states and blend the two nearest (walls < 0.5 px apart);
short clips render every frame exactly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import cv2
import numpy as np

from lvseg.synth.anatomy import Chamber, Heart

SPECKLE_BASIS = 4  # independent speckle fields mixed over time (exact Rayleigh statistics at every frame)
TISSUE_GREY = (76.0, 90.0)
LEVELS = 24  # LV states rendered per clip when the clip is longer (wall moves < 0.5 px between levels)


@dataclass(frozen=True)
class Look:
    """One clip's scanner and patient appearance (reflectivities in [0, 1], lengths in output pixels)."""

    fan_apex: tuple[float, float]
    half_angle: float       # radians
    radius: float
    gain: float
    gamma: float
    blood: float            # blood (clutter level)
    myo: float              # compact myocardium
    tissue: float           # tissue between the chambers
    outside: float          # tissue outside the heart, relative to ``tissue``
    endo_echo: float        # bright echo at the compact-myocardium boundary
    epi_echo: float         # epicardium / pericardium
    haze: float             # near-field clutter strength
    haze_depth: float
    attenuation: float
    speckle_sigma: tuple[float, float]  # (lateral, axial) correlation of the speckle
    psf_sigma: tuple[float, float]
    dropout_floor: float    # specular echo kept where the wall is parallel to the beam
    valve: float            # mitral leaflet brightness
    decorrelation: float    # speckle change per frame (radians of mixing)
    floor: float            # display noise floor (grey levels)
    scale: float = 1.0      # output px per anatomy px (CAMUS > 1)


def sample_look(rng: np.random.Generator, shape: tuple[int, int] = (112, 112), scale: float = 1.0,
                fan_bounds: tuple[float, float] = (0.575, 0.685), angle_deg: tuple[float, float] = (36.0, 45.0)) -> Look:
    """A random appearance whose sector covers a share of the image inside ``fan_bounds``."""
    h, w = shape
    for _ in range(200):
        look = Look(
            fan_apex=(w / 2 - 0.5 + rng.uniform(-1.0, 1.0) * scale, rng.uniform(-6.0, 1.0) * scale),
            half_angle=np.radians(rng.uniform(*angle_deg)), radius=h * rng.uniform(0.93, 1.1),
            gain=1.0, gamma=rng.uniform(0.7, 0.85), blood=rng.uniform(0.012, 0.04),
            myo=rng.uniform(0.32, 0.45), tissue=rng.uniform(0.45, 0.6), outside=rng.uniform(0.65, 0.9),
            endo_echo=rng.uniform(0.45, 0.8), epi_echo=rng.uniform(0.5, 0.9), haze=rng.uniform(0.05, 0.25),
            haze_depth=h * rng.uniform(0.12, 0.25), attenuation=rng.uniform(0.2, 0.6),
            speckle_sigma=(rng.uniform(0.7, 1.0) * scale, rng.uniform(0.45, 0.6) * scale),
            psf_sigma=(0.8 * scale, 0.5 * scale), dropout_floor=rng.uniform(0.05, 0.3), valve=rng.uniform(0.1, 0.3),
            decorrelation=rng.uniform(0.08, 0.2), floor=rng.uniform(2.0, 5.0), scale=scale)
        if fan_bounds[0] <= float(fan_geometry(look, shape)[0].mean()) <= fan_bounds[1]:
            # gain chosen so that mid-depth tissue shows at a drawn grey level (the real "rest of fan" is 37-71)
            tissue_grey = rng.uniform(*TISSUE_GREY)
            gain = (tissue_grey / 255.0) ** (1.0 / look.gamma) / (look.tissue * np.exp(-0.5 * look.attenuation))
            return dataclasses.replace(look, gain=float(gain))
    raise RuntimeError("no fan geometry inside the requested share")


def fan_geometry(look: Look, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(soft sector mask in [0, 1], depth r from the fan apex, beam unit vector x and y) on the pixel grid."""
    h, w = shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    dx, dy = x - look.fan_apex[0], y - look.fan_apex[1]
    r = np.hypot(dx, dy) + 1e-6
    edge = np.minimum((look.half_angle - np.abs(np.arctan2(dx, dy))) * r, look.radius - r)
    mask = np.clip(edge + 0.5, 0.0, 1.0) * (dy > 0)
    return mask.astype(np.float32), r.astype(np.float32), (dx / r).astype(np.float32), (dy / r).astype(np.float32)


def fill_polygon(contour: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """uint8 0/1 mask of a closed (N, 2) (x, y) contour, filled with 1/16-px precision."""
    mask = np.zeros(shape, dtype=np.uint8)
    cv2.fillPoly(mask, [np.round(contour * 16).astype(np.int32)], 1, lineType=cv2.LINE_8, shift=4)
    return mask


def signed_distance(mask: np.ndarray) -> np.ndarray:
    """Signed distance in px to a mask's border: negative inside, positive outside (about +-0.5 at the edge)."""
    outside = cv2.distanceTransform(1 - mask, cv2.DIST_L2, 5)
    inside = cv2.distanceTransform(mask, cv2.DIST_L2, 5)
    return outside - inside + np.where(mask > 0, 0.5, -0.5).astype(np.float32)


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _bump(d: np.ndarray, centre: float, width: float) -> np.ndarray:
    return np.exp(-np.square((d - centre) / width))


def _lowfreq(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> np.ndarray:
    """Static smooth noise field, zero mean, unit standard deviation."""
    field = cv2.GaussianBlur(rng.standard_normal(shape).astype(np.float32), (0, 0), sigma)
    return field / (field.std() + 1e-6)


class Scene:
    """Everything about a clip that does not change from frame to frame (grid, beam, static textures)."""

    def __init__(self, heart: Heart, look: Look, rng: np.random.Generator, shape: tuple[int, int],
                 to_pixels: tuple[float, float, float]):
        self.heart, self.look, self.shape, self.to_pixels = heart, look, shape, to_pixels
        self.fan, self.depth, self.beam_x, self.beam_y = fan_geometry(look, shape)
        s = look.scale
        self.patches = np.clip(0.75 + 0.6 * _lowfreq(rng, shape, 6.0 * s), 0.15, 1.3)
        self.texture = np.clip(1.0 + 0.35 * _lowfreq(rng, shape, 3.0 * s), 0.3, 2.0)
        blotches = np.clip(1.0 + 0.6 * _lowfreq(rng, shape, 4.0 * s), 0.1, 2.5)
        self.haze = look.haze * np.exp(-self.depth / look.haze_depth) * blotches
        d = self.depth / shape[0]
        self.gain = look.gain * np.exp(-look.attenuation * d) * (1.0 + 0.6 * look.attenuation * d)

    def _specular(self, d: np.ndarray) -> np.ndarray:
        """Echo strength of a wall whose normal is the gradient of d: strong facing the beam, weak along it."""
        gy, gx = np.gradient(d)
        cos = np.abs(gx * self.beam_x + gy * self.beam_y) / (np.hypot(gx, gy) + 1e-6)
        return self.look.dropout_floor + (1.0 - self.look.dropout_floor) * cos * cos

    def reflectivity(self, c: float) -> np.ndarray:
        """Blurred reflectivity map (H, W) float32 at LV state c, without the mitral leaflets."""
        look, shape, s = self.look, self.shape, self.look.scale
        scale, ox, oy = self.to_pixels
        chambers = self.heart.chambers(c)
        pts = {k: ch.contour() * scale + (ox, oy) for k, ch in chambers.items()}
        lv = fill_polygon(pts["lv"], shape)
        others = np.zeros(shape, np.uint8)
        for key in ("rv", "la", "ra"):
            others |= fill_polygon(pts[key], shape)
        others &= 1 - lv
        d_lv = signed_distance(lv)
        d_oth = signed_distance(others) if others.any() else np.full(shape, 1e3, np.float32)
        cavity = np.clip(0.5 - np.minimum(d_lv, d_oth), 0.0, 1.0)
        wall = self.heart.wall(c) * scale
        zone = 0.38 * wall  # grey trabecular zone between the traced border and the bright compact wall
        near = np.clip(d_lv, 0.0, None)
        spec = self._specular(d_lv)
        myo = look.blood + (look.myo * (0.6 + 0.4 * spec) - look.blood) * (0.3 + 0.7 * _smoothstep(near / zone))
        echo = look.endo_echo * _bump(near, zone + 1.0 * s, 1.0 * s) + look.epi_echo * _bump(near, wall, 1.2 * s)
        heart = np.minimum(near - wall, np.clip(d_oth, 0.0, None) - 3.0 * s)  # < 0 inside the heart's outline
        tissue = look.tissue * self.texture * (1.0 - (1.0 - look.outside) * _smoothstep(heart / (4.0 * s)))
        outer = _smoothstep((near - wall) / (2.0 * s))
        refl = myo * (1.0 - outer) + tissue * outer + echo * spec * self.patches
        refl += 0.6 * look.epi_echo * _bump(np.clip(d_oth, 0.0, None), 1.5 * s, 1.0 * s) * self._specular(d_oth)
        refl = refl * (1.0 - cavity) + look.blood * cavity
        return cv2.GaussianBlur(refl.astype(np.float32), (0, 0), sigmaX=look.psf_sigma[0], sigmaY=look.psf_sigma[1])

    def valve(self, c: float, filling: bool) -> np.ndarray:
        """Blurred mitral annulus and leaflet layer (H, W) float32; ``filling`` opens the valve."""
        scale, ox, oy = self.to_pixels
        layer = np.zeros(self.shape, np.float32)
        _draw_valve(layer, self.heart.lv(c), c if filling else 0.0, scale, (ox, oy))
        sx, sy = self.look.psf_sigma
        return cv2.GaussianBlur(layer * np.float32(self.look.valve), (0, 0), sigmaX=sx, sigmaY=sy)

    def speckle(self, rng: np.random.Generator, frames: int) -> np.ndarray:
        """(T, H, W) multiplicative speckle, mean 1: the modulus of a correlated complex Gaussian field.

        A few fixed complex fields are mixed with unit-norm weights that rotate slowly, so every frame is
        an exact complex Gaussian (Rayleigh amplitude) and neighbouring frames stay correlated.
        """
        k, look = SPECKLE_BASIS, self.look
        basis = np.stack([cv2.GaussianBlur(f, (0, 0), sigmaX=look.speckle_sigma[0], sigmaY=look.speckle_sigma[1])
                          for f in rng.standard_normal((2 * k, *self.shape)).astype(np.float32)])
        basis /= basis.reshape(2 * k, -1).std(axis=1)[:, None, None]
        t = np.arange(frames)[:, None]
        weights = np.cos(t * rng.uniform(0.5, 1.5, k) * look.decorrelation + rng.uniform(0, 2 * np.pi, k)) + 1e-3
        weights = (weights / np.linalg.norm(weights, axis=1, keepdims=True)).astype(np.float32)
        # explicit multiply-adds rather than tensordot: BLAS threads only contend on a shared machine
        power = np.zeros((frames, *self.shape), np.float32)
        for part in (basis[:k], basis[k:]):
            field = weights[:, 0, None, None] * part[0]
            for j in range(1, k):
                field += weights[:, j, None, None] * part[j]
            field *= field
            power += field
        return np.sqrt(power, out=power) * np.float32(1.0 / np.sqrt(np.pi / 2.0))

    def display(self, refl: np.ndarray, speckle: np.ndarray, clutter: np.ndarray) -> np.ndarray:
        """uint8 frames from reflectivity (T, H, W), speckle and near-field clutter speckle."""
        amp = refl * speckle * self.gain + self.haze * clutter * self.look.gain
        grey = 255.0 * np.power(amp, self.look.gamma, dtype=np.float32) + self.look.floor
        return np.clip(grey * self.fan + 0.5, 0, 255).astype(np.uint8)


def render_clip(heart: Heart, states: np.ndarray, look: Look, rng: np.random.Generator,
                shape: tuple[int, int] = (112, 112), to_pixels: tuple[float, float, float] = (1.0, 0.0, 0.0),
                filling: np.ndarray | None = None) -> np.ndarray:
    """uint8 (T, H, W) frames of the heart at LV states ``states`` (1 = ED, 0 = ES).

    ``filling`` (bool per frame) marks diastolic frames (mitral valve open); ``to_pixels`` = (scale,
    dx, dy) maps the anatomy's 112-px frame onto the output grid (CAMUS uses it).
    """
    states = np.asarray(states, dtype=np.float64)
    filling = np.zeros(len(states), bool) if filling is None else np.asarray(filling, bool)
    scene = Scene(heart, look, rng, shape, to_pixels)
    if len(states) <= LEVELS + 1:
        refl = np.stack([scene.reflectivity(float(c)) + scene.valve(float(c), bool(f))
                         for c, f in zip(states, filling)])
    else:
        grid = np.linspace(0.0, 1.0, LEVELS + 1)
        table = np.stack([scene.reflectivity(float(c)) for c in grid])
        valves = np.stack([[scene.valve(float(c), f) for c in grid] for f in (False, True)])
        pos = np.clip(states, 0.0, 1.0) * LEVELS
        lo = np.minimum(np.floor(pos).astype(int), LEVELS - 1)
        w = (pos - lo).astype(np.float32)[:, None, None]
        half = filling.astype(int)
        refl = (table[lo] + valves[half, lo]) * (1.0 - w) + (table[lo + 1] + valves[half, lo + 1]) * w
    speckle = scene.speckle(rng, len(states))
    # near-field clutter gets its own speckle: the same fields, shifted far enough to be uncorrelated
    clutter = np.roll(speckle, (int(7 * look.scale), int(11 * look.scale)), axis=(1, 2))
    return scene.display(refl, speckle, clutter)


def _draw_valve(layer: np.ndarray, lv: Chamber, opening_state: float, scale: float,
                offset: tuple[float, float]) -> None:
    """Mitral annulus hinges and leaflets: closed across the base in systole, open into the LV while it fills."""
    left, right = (p * scale + offset for p in lv.base_points)
    span = float(np.linalg.norm(right - left))
    opening = float(np.clip((0.9 - opening_state) / 0.5, 0.0, 1.0)) if opening_state > 0 else 0.0
    thick = max(1, int(round(scale)))
    for hinge, other in ((left, right), (right, left)):
        across = (other - hinge) / max(span, 1e-6)
        tip_dir = across * (1.0 - opening) - lv.axis * opening
        tip = hinge + tip_dir / np.linalg.norm(tip_dir) * span * 0.45 + lv.axis * 0.8 * scale * (1.0 - opening)
        cv2.line(layer, tuple(np.round(hinge * 16).astype(int)), tuple(np.round(tip * 16).astype(int)), 1.0,
                 thick, cv2.LINE_AA, shift=4)
        cv2.circle(layer, tuple(np.round(hinge * 16).astype(int)), int(16 * 1.2 * scale), 2.0, -1, cv2.LINE_AA, shift=4)
