"""B-mode simulation from a label map: the convolution model of fast ultrasound simulators, in beam geometry.

Per frame, on a polar grid of beams (angle) x samples (depth) from the sector apex:
  scatterers   complex Gaussian scatterers with a class-dependent amplitude and density (a Bernoulli
               share of occupied samples; sparse scatterers give brighter, spottier, non-Rayleigh speckle),
               amplitude textured per clip (heterogeneous extracardiac tissue, smoke-like blotches in blood);
  specular     interfaces between classes of different acoustic impedance reflect coherently with a
               strength |grad Z| * |cos(beam, normal)| ** p: walls facing the beam are bright, walls parallel
               to it drop out (computed on the label raster, where the beam direction is known per pixel);
  transmission energy lost at strong interfaces and in air (lung) is lost for everything deeper:
               cumulative along each beam, so lungs and ribs cast shadows;
  clutter      near-field reverberation: an incoherent haze that fades with depth, fixed to the probe,
               laid over everything including the cavities near the apex;
  PSF          separable convolution: axial Gaussian pulse envelope, lateral beam profile whose width
               follows a focused Gaussian beam (narrowest at the focus) plus a side-lobe pedestal, the
               lateral kernel changing with depth in the sector's polar geometry;
  receiver     depth attenuation, thermal noise, TGC (compensation + slider ripple), envelope detection,
               log compression to the dynamic range, grey map; then scan conversion (bilinear) to pixels.
Speckle decorrelates over time by rotating the mix of a few fixed complex fields (every frame remains an
exact complex Gaussian); blood decorrelates 2.5 times faster than tissue.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.ndimage import gaussian_filter1d

from lvseg.synth import labels as L
from lvseg.synth.acoustics import DENSITY, EXTINCTION_DB, class_levels, impedance_table, table
from lvseg.synth.style import Look

MIX = 3           # complex fields mixed per frame and tissue group
BANDS = 6         # lateral kernels (sigma doubling from BAND0 beams); rows interpolate between two
BAND0 = 0.6
SAMPLE_PX = 0.5   # axial sample spacing in anatomy px (the display pixel is 1)
def dropout_field(look: Look, r: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """(S, B) echo multiplier: 1 outside the lateral-wall drop-out patch, 1 - strength inside (soft edges)."""
    strength, centre, half, start, end = look.dropout
    if strength <= 0:
        return np.ones((len(r), len(theta)), np.float32)
    across = np.clip((half - np.abs(theta - centre)) / (0.4 * half) + 0.5, 0.0, 1.0)
    depth = r / look.radius
    along = np.clip(np.minimum(depth - start, end - depth) / 0.05 + 0.5, 0.0, 1.0)
    return (1.0 - strength * along[:, None] * across[None, :]).astype(np.float32)


def smooth_field(rng: np.random.Generator, shape: tuple[int, int], sigma: tuple[float, float]) -> np.ndarray:
    """Zero-mean, unit-std smooth random field (sigma = (along axis 0, along axis 1))."""
    f = cv2.GaussianBlur(rng.standard_normal(shape).astype(np.float32), (0, 0), sigmaX=sigma[1], sigmaY=sigma[0])
    return f / (f.std() + 1e-6)


def _complex_fields(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """MIX circular complex Gaussian fields of unit power, as float32 (MIX, S, B, 2) (real, imaginary)."""
    return (rng.standard_normal((MIX, *shape, 2)) * np.sqrt(0.5)).astype(np.float32)


def _mix_weights(rng: np.random.Generator, frames: int, rate: float) -> np.ndarray:
    """(T, MIX) unit-norm weights that rotate slowly: consecutive frames share most of their speckle."""
    t = np.arange(frames)[:, None]
    w = np.cos(t * rng.uniform(0.5, 1.5, MIX) * rate + rng.uniform(0, 2 * np.pi, MIX)) + 1e-3
    return (w / np.linalg.norm(w, axis=1, keepdims=True)).astype(np.float32)


@dataclass
class Probe:
    """Everything about one clip's imaging that does not change from frame to frame."""

    look: Look
    r: np.ndarray            # (S,) depth of each sample, output px
    theta: np.ndarray        # (B,) beam angle, radians (0 = straight down, + = image-right)
    raster_maps: tuple[np.ndarray, np.ndarray]  # polar sample -> label-raster coordinates (cv2.remap)
    raster_k: int
    raster_apex: tuple[float, float]
    axial_samples: float
    band_lo: np.ndarray      # (S,) lower lateral band per row, and the weight of the next one
    band_w: np.ndarray
    unit_energy: np.ndarray  # (S, 1) scatterer gain that keeps the speckle's rms amplitude through the PSF
    gain: np.ndarray         # (S, 1) attenuation x TGC, amplitude
    noise: np.ndarray        # (S, 1) thermal noise after TGC, amplitude
    haze: np.ndarray         # (S, B) clutter amplitude
    shadow: np.ndarray       # (S, B) rib shadow transmission
    dropout: np.ndarray      # (S, B) lateral-wall drop-out: tissue and interface echoes lost there
    roughness: np.ndarray    # (S, B) specular patchiness
    texture: np.ndarray      # (S, B) log-normal tissue texture
    blotch: np.ndarray       # (S, B) cavity smoke pattern
    presence: np.ndarray     # (S, B) uniform: a sample holds a scatterer where presence < density
    fields: tuple[np.ndarray, np.ndarray]   # tissue and blood complex fields (MIX, S, B, 2)
    weights: tuple[np.ndarray, np.ndarray]  # their (T, MIX) mixing weights
    levels: np.ndarray
    impedance: np.ndarray
    density: np.ndarray
    extinction: np.ndarray
    top_db: float

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.r), len(self.theta)


def make_probe(look: Look, frames: int, raster_k: int, rng: np.random.Generator) -> Probe:
    """Precompute the polar grid, PSF bands, gain curves and static random fields of one clip."""
    s = look.scale
    r = np.arange(0.5, look.radius / (SAMPLE_PX * s)) * SAMPLE_PX * s
    beam_px = 0.75 * s  # beam spacing at the deepest sample (the display pixel is 1)
    n_beams = int(np.clip(np.ceil(2 * look.half_angle * look.radius / beam_px), 64, 320))
    theta = np.linspace(-look.half_angle, look.half_angle, n_beams)
    dtheta = theta[1] - theta[0]
    rr, tt = np.meshgrid(r, theta, indexing="ij")
    x, y = look.fan_apex[0] + rr * np.sin(tt), look.fan_apex[1] + rr * np.cos(tt)
    off = (raster_k - 1) / 2.0
    maps = ((x * raster_k + off).astype(np.float32), (y * raster_k + off).astype(np.float32))
    # focused Gaussian beam: width grows away from the focus; sigma in beams at each depth
    focus = look.focus * look.radius
    rayleigh = look.radius * 0.35 / look.divergence
    width = look.lateral * np.sqrt(1.0 + ((r - focus) / rayleigh) ** 2)
    band = np.clip(np.log2(width / (r * dtheta) / BAND0), 0.0, BANDS - 1.001)
    lo, w = np.floor(band).astype(int), (band - np.floor(band)).astype(np.float32)
    depth = r / look.radius
    ripple = np.interp(depth, np.linspace(0, 1, len(look.tgc_knots_db)), look.tgc_knots_db)
    atten_db = look.attenuation_db * r
    gain_db = -atten_db * (1.0 - look.tgc_compensation) + ripple
    # thermal noise enters before the TGC: ``look.noise`` is its level re tissue echoes at the deepest sample
    tgc_db = look.tgc_compensation * atten_db + ripple
    noise = look.noise * 10.0 ** ((tgc_db - tgc_db[-1] + gain_db[-1]) / 20.0)
    shape = (len(r), n_beams)
    smooth = lambda sig: smooth_field(rng, shape, (sig / (SAMPLE_PX * s), sig * 0.6 / (look.radius * dtheta)))  # noqa: E731
    haze = look.haze * np.exp(-depth / look.haze_depth)[:, None] * np.exp(0.6 * smooth(4.0 * s)) \
        * (1.0 + 0.4 * np.cos(2 * np.pi * r / (rng.uniform(5.0, 9.0) * s) + rng.uniform(0, 6.3)))[:, None]
    shadow = np.ones(shape, np.float32)
    if look.rib:
        centre, half = rng.uniform(-0.8, 0.8) * look.half_angle, rng.uniform(0.06, 0.15)
        edge = np.clip((np.abs(theta - centre) - half) / 0.03, 0.0, 1.0)[None, :]
        start = np.clip((r - rng.uniform(4.0, 12.0) * s) / (2.0 * s), 0.0, 1.0)[:, None]
        shadow = (1.0 - (1.0 - rng.uniform(0.05, 0.35)) * (1.0 - edge) * start).astype(np.float32)
    levels = class_levels(look)
    tissue_db = 20 * np.log10(levels[L.LV_MYO]) - 2.5  # mean dB of Rayleigh speckle of rms amplitude 1
    top = tissue_db + look.dynamic_range_db * (1.0 - (look.tissue_grey / 255.0) ** (1.0 / look.grey_gamma))
    return Probe(
        look, r.astype(np.float32), theta, maps, raster_k,
        (look.fan_apex[0] * raster_k + off, look.fan_apex[1] * raster_k + off), look.axial / (SAMPLE_PX * s),
        lo, w, _unit_energy(look.axial / (SAMPLE_PX * s), lo, w, look.sidelobe),
        (10.0 ** (gain_db / 20.0)).astype(np.float32)[:, None],
        noise.astype(np.float32)[:, None], haze.astype(np.float32), shadow, dropout_field(look, r, theta),
        np.clip(1.0 + 0.45 * smooth(3.0 * s), 0.1, 2.0), np.exp(look.heterogeneity * smooth(2.5 * s)),
        np.clip(smooth(3.0 * s), 0.0, None), rng.uniform(size=shape).astype(np.float32),
        (_complex_fields(rng, shape), _complex_fields(rng, shape)),
        (_mix_weights(rng, frames, look.decorrelation), _mix_weights(rng, frames, 2.5 * look.decorrelation)),
        levels, impedance_table(look), table(DENSITY, 1.0), table(EXTINCTION_DB, 0.0), float(top))


def _kernel(sigma: float, size: int) -> np.ndarray:
    impulse = np.zeros(2 * size + 1, np.float64)
    impulse[size] = 1.0
    return gaussian_filter1d(impulse, sigma, mode="constant")


def _unit_energy(axial: float, lo: np.ndarray, w: np.ndarray, sidelobe: float) -> np.ndarray:
    """1 / sqrt(sum of squared PSF taps) per row: the PSF kernels sum to 1 (specular echoes keep their
    amplitude), so white scatterers are amplified by this to keep an rms amplitude of 1."""
    size = int(4 * BAND0 * 2 ** BANDS) + 1
    kernels = np.stack([_kernel(BAND0 * 2.0 ** b, size) for b in range(BANDS)])
    gram = kernels @ kernels.T
    coef = np.zeros((len(lo), BANDS))
    rows = np.arange(len(lo))
    np.add.at(coef, (rows, lo), 1.0 - w)
    np.add.at(coef, (rows, np.minimum(lo + 1, BANDS - 1)), w)
    np.add.at(coef, (rows, np.minimum(lo + 2, BANDS - 1)), sidelobe)
    lateral = np.einsum("rb,bc,rc->r", coef, gram, coef)
    axial_energy = float(np.sum(_kernel(axial, int(4 * axial) + 2) ** 2))
    return (1.0 / np.sqrt(lateral * axial_energy)).astype(np.float32)[:, None]


def specular_map(labels: np.ndarray, impedance: np.ndarray, apex: tuple[float, float], sigma: float,
                 power: float) -> np.ndarray:
    """Interface echo strength on the label raster: |grad Z| * |cos(beam, normal)| ** power, a step of 1 -> 1."""
    z = cv2.GaussianBlur(impedance[labels], (0, 0), sigma)
    gx = cv2.Sobel(z, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(z, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    h, w = labels.shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    bx, by = x - np.float32(apex[0]), y - np.float32(apex[1])
    norm = np.hypot(gx, gy) + 1e-9
    cos = np.abs(gx * bx + gy * by) / (norm * (np.hypot(bx, by) + 1e-6))
    return (norm * np.float32(sigma * np.sqrt(2 * np.pi)) * cos ** np.float32(power)).astype(np.float32)


def _blur(field: np.ndarray, sigma: float, axis: int) -> np.ndarray:
    """1-D Gaussian (sum 1, zero padding) of a (S, B, 2) float32 field along axis 0 (depth) or 1 (beams)."""
    size = 2 * int(np.ceil(3.5 * sigma)) + 1
    ksize = (size, 1) if axis == 1 else (1, size)
    if axis == 1:
        return cv2.GaussianBlur(field, ksize, sigmaX=sigma, sigmaY=0.0, borderType=cv2.BORDER_CONSTANT)
    return cv2.GaussianBlur(field, ksize, sigmaX=0.0, sigmaY=sigma, borderType=cv2.BORDER_CONSTANT)


def _lateral(probe: Probe, field: np.ndarray) -> np.ndarray:
    """Depth-dependent lateral PSF: each row blends two of the doubling Gaussian bands, plus side lobes.

    A band is only computed on the rows that use it (wide kernels serve the few near-field rows)."""
    lo, w = probe.band_lo, probe.band_w[:, None, None]
    out = np.zeros_like(field)
    for band in range(BANDS):
        rows = np.nonzero((lo == band) | (np.minimum(lo + 1, BANDS - 1) == band)
                          | (np.minimum(lo + 2, BANDS - 1) == band))[0]
        if len(rows) == 0:
            continue
        a, b = rows[0], rows[-1] + 1  # rows using a band are contiguous (the band falls with depth)
        blurred = _blur(np.ascontiguousarray(field[a:b]), BAND0 * 2.0 ** band, axis=1)
        coef = ((lo[a:b] == band) * (1 - w[a:b, 0, 0]) + (np.minimum(lo[a:b] + 1, BANDS - 1) == band) * w[a:b, 0, 0]
                + (np.minimum(lo[a:b] + 2, BANDS - 1) == band) * np.float32(probe.look.sidelobe))
        out[a:b] += blurred * coef.astype(np.float32)[:, None, None]
    return out


def echo_field(probe: Probe, labels: np.ndarray, frame: int) -> np.ndarray:
    """Complex (S, B, 2) echo of one frame before the PSF, from its label raster."""
    look = probe.look
    mx, my = probe.raster_maps
    cls = cv2.remap(labels, mx, my, cv2.INTER_NEAREST, borderMode=cv2.BORDER_REPLICATE)
    amp = cv2.remap(probe.levels[labels], mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    blood = np.isin(cls, L.BLOOD_CLASSES)
    tissue = ~blood & (cls != L.LUNG)
    amp = np.where(tissue, amp * probe.texture ** np.where(cls == L.EXTRA, 1.0, 0.4).astype(np.float32)
                   * probe.dropout, amp)
    amp = np.where(blood, np.maximum(amp, np.float32(look.cavity_haze) * probe.blotch), amp)
    density = probe.density[cls]
    amp = amp * (probe.presence < density) / np.sqrt(density)
    amp = np.sqrt(amp * amp + probe.haze * probe.haze)
    mixed = []
    for fields, weights in zip(probe.fields, probe.weights):
        acc = fields[0] * weights[frame, 0]
        for j in range(1, MIX):
            acc += fields[j] * weights[frame, j]
        mixed.append(acc)
    scatter = np.where(blood[..., None], mixed[1], mixed[0]) * (amp * probe.unit_energy)[..., None]
    spec_raster = specular_map(labels, probe.impedance, probe.raster_apex, 0.6 * probe.raster_k * look.scale,
                               look.specular_power)
    spec = cv2.remap(spec_raster, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT) * probe.roughness \
        * probe.dropout
    # one-way loss: extinction in air, plus a share of the energy reflected at strong interfaces
    loss_db = probe.extinction[cls] * np.float32(SAMPLE_PX) + np.float32(3.0) * np.minimum(spec, 2.0) * (cls == L.LUNG)
    transmission = probe.shadow * 10.0 ** (-np.cumsum(loss_db, axis=0) / np.float32(20.0))
    scatter[..., 0] += np.float32(look.specular) * spec  # coherent: in phase
    return scatter * transmission[..., None]


def simulate(probe: Probe, labels: np.ndarray, frame: int, rng: np.random.Generator,
             compress: bool = True) -> np.ndarray:
    """One frame on the polar grid: display values in [0, 1] (or the envelope when ``compress`` is False)."""
    field = _lateral(probe, _blur(echo_field(probe, labels, frame), probe.axial_samples, axis=0))
    field *= probe.gain[..., None]
    field += rng.standard_normal(field.shape).astype(np.float32) * (probe.noise * np.float32(np.sqrt(0.5)))[..., None]
    envelope = np.hypot(field[..., 0], field[..., 1])
    if not compress:
        return envelope
    db = 20.0 * np.log10(envelope + np.float32(1e-6))
    look = probe.look
    grey = np.clip((db - np.float32(probe.top_db - look.dynamic_range_db)) / np.float32(look.dynamic_range_db), 0, 1)
    return grey ** np.float32(look.grey_gamma)
