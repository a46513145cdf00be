"""From the beam grid to the cropped display: scan conversion, the black outside the sector, overlays.

Scan conversion maps each output pixel to (depth, beam) on the polar grid and interpolates bilinearly.
Real EchoNet crops carry parts of the scanner's display: an ECG trace sweeping across the bottom
(its R wave at end-diastole), depth-marker dots along the sector edge and text or marker dots beside the
sector apex; each is present in a share of clips (``Style.overlays``). Everything outside the sector
and the overlays is black.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lvseg.synth.style import Look


@dataclass(frozen=True)
class Screen:
    """Per-clip display geometry: scan-conversion maps, sector mask and the static overlay layer."""

    maps: tuple[np.ndarray, np.ndarray]  # output pixel -> (beam, sample) indices for cv2.remap
    sector: np.ndarray                   # float32 (H, W) in [0, 1]
    static: np.ndarray                   # float32 (H, W) overlay grey in [0, 1] (depth dots, text)
    ecg: tuple | None                    # (row, x0, x1, amplitude, grey, frames per sweep) or None


def sector_mask(look: Look, shape: tuple[int, int]) -> np.ndarray:
    """Soft (1-px edge) sector mask: inside the fan angle and radius, below the apex."""
    h, w = shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    dx, dy = x - look.fan_apex[0], y - look.fan_apex[1]
    r = np.hypot(dx, dy) + 1e-6
    edge = np.minimum((look.half_angle - np.abs(np.arctan2(dx, dy))) * r, look.radius - r)
    return (np.clip(edge + 0.5, 0.0, 1.0) * (dy > 0)).astype(np.float32)


def make_screen(look: Look, r: np.ndarray, theta: np.ndarray, shape: tuple[int, int],
                rng: np.random.Generator) -> Screen:
    """Scan-conversion maps for the polar grid (r, theta) and the clip's overlays."""
    h, w = shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    dx, dy = x - look.fan_apex[0], y - look.fan_apex[1]
    radius, angle = np.hypot(dx, dy), np.arctan2(dx, dy)
    sample = (radius - r[0]) / (r[1] - r[0])
    beam = (angle - theta[0]) / (theta[1] - theta[0])
    static = np.zeros(shape, np.float32)
    s = look.scale
    ecg_on, depth_on, text_on = look.overlays
    if depth_on:  # dots every ~1 cm (8 anatomy px) of depth, just outside one sector edge
        side = 1 if rng.uniform() < 0.7 else -1
        step, grey = rng.uniform(7.0, 9.0) * s, rng.uniform(0.5, 0.9)
        for depth in np.arange(step, look.radius, step):
            a = side * (look.half_angle + 2.5 * s / depth)
            px, py = look.fan_apex[0] + depth * np.sin(a), look.fan_apex[1] + depth * np.cos(a)
            cv2.circle(static, (int(round(px)), int(round(py))), max(0, int(round(0.4 * s))), grey, -1)
    if text_on:  # small marks beside the apex: scanner text fragments, the orientation marker
        for _ in range(int(rng.integers(2, 6))):
            left = rng.uniform() < 0.5
            px = rng.uniform(1, 0.28 * w) if left else rng.uniform(0.72 * w, w - 3)
            py, grey = rng.uniform(1, 0.15 * h), rng.uniform(0.3, 0.8)
            for j in range(int(rng.integers(1, 5))):  # a few "characters" in a row
                cv2.rectangle(static, (int(px + 2.5 * j * s), int(py)), (int(px + 2.5 * j * s + s), int(py + s)),
                              grey * rng.uniform(0.6, 1.0), -1)
        cv2.circle(static, (int(look.fan_apex[0] + rng.uniform(6, 14) * s), int(max(1.0, look.fan_apex[1] + 3 * s))),
                   max(0, int(round(0.6 * s))), rng.uniform(0.5, 1.0), -1)
    ecg = None
    if ecg_on:
        x0 = rng.uniform(0.0, 0.35) * w
        ecg = (rng.uniform(0.84, 0.97) * h, x0, x0 + rng.uniform(0.3, 0.9) * (w - x0), rng.uniform(2.0, 6.0) * s,
               rng.uniform(0.3, 0.8), rng.uniform(60.0, 160.0))
    return Screen((beam.astype(np.float32), sample.astype(np.float32)), sector_mask(look, shape), static, ecg)


def ecg_wave(phase: np.ndarray) -> np.ndarray:
    """An ECG beat (R wave at phase 0 = end-diastole): P, Q, R, S and T as Gaussians."""
    p = np.mod(phase + 0.5, 1.0) - 0.5
    bumps = ((-0.14, 0.025, 0.15), (-0.02, 0.008, -0.15), (0.0, 0.01, 1.0), (0.025, 0.01, -0.25), (0.33, 0.05, 0.3))
    return np.sum([a * np.exp(-0.5 * ((p - c) / wd) ** 2) for c, wd, a in bumps], axis=0)


def beat_phase(frames: np.ndarray, r_waves: np.ndarray) -> np.ndarray:
    """Beat number plus the fraction of the beat elapsed at (fractional) ``frames``, from the R-wave frames;
    before the first and after the last R wave the nearest RR interval continues."""
    index = np.arange(len(r_waves), dtype=np.float64)
    phase = np.interp(frames, r_waves, index)
    phase = np.where(frames < r_waves[0], (frames - r_waves[0]) / (r_waves[1] - r_waves[0]), phase)
    return np.where(frames > r_waves[-1], index[-1] + (frames - r_waves[-1]) / (r_waves[-1] - r_waves[-2]), phase)


def draw_ecg(layer: np.ndarray, screen: Screen, frame: int, r_waves: np.ndarray) -> None:
    """The sweeping trace at ``frame``: newest samples left of the cursor, the previous sweep to its right;
    R waves at ``r_waves`` (frames, at least two), however irregular."""
    if screen.ecg is None:
        return
    row, x0, x1, amplitude, grey, sweep = screen.ecg
    xs = np.arange(int(x0), int(x1))
    if len(xs) < 2:
        return
    speed = (x1 - x0) / sweep
    cursor = x0 + (frame * speed) % (x1 - x0)
    age = np.mod(cursor - xs, x1 - x0) / speed  # frames since the trace was drawn at x
    keep = (age > 0.5) & (age < sweep - 6.0)  # the erase gap ahead of the cursor
    ys = row - amplitude * ecg_wave(beat_phase(frame - age, r_waves))
    pts = np.stack([xs, ys], 1)
    for run in np.split(np.arange(len(xs)), np.nonzero(np.diff(keep.astype(int)))[0] + 1):
        if keep[run[0]] and len(run) > 1:
            cv2.polylines(layer, [np.round(pts[run] * 16).astype(np.int32)], False, grey, 1, cv2.LINE_AA, shift=4)


def scan_convert(screen: Screen, polar: np.ndarray) -> np.ndarray:
    """A polar display image (S, B) in [0, 1] on the output pixels (float32, 0 outside the grid)."""
    return cv2.remap(polar.astype(np.float32), screen.maps[0], screen.maps[1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)


def finish(screen: Screen, image: np.ndarray, overlay: np.ndarray | None = None) -> np.ndarray:
    """Mask an output-grid image in [0, 1] to the sector and add the overlays: uint8 (H, W)."""
    image = image * screen.sector
    image = np.maximum(image, screen.static if overlay is None else np.maximum(screen.static, overlay))
    return np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)
