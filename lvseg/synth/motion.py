"""Rigid motion of the whole heart in the image: breathing and probe movement within a clip.

The probe rocks about its footprint (the sector apex) by a few tenths of a degree to a couple of degrees,
and breathing translates the heart by a few pixels at 3-6 s per breath. Both are rigid, so the LV's
tracing at a frame is the tracing of the moved contour and its disk volume does not change (chord
lengths are preserved). Similarities (scale, rotation, translation) also map the anatomy onto larger
output grids (CAMUS) and onto the renderer's finer raster.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lvseg.synth.anatomy import Chamber


@dataclass(frozen=True)
class Similarity:
    """x -> scale * R(angle) x + shift, on (x, y) points."""

    scale: float = 1.0
    angle: float = 0.0
    shift: tuple[float, float] = (0.0, 0.0)

    @property
    def rotation(self) -> np.ndarray:
        c, s = np.cos(self.angle), np.sin(self.angle)
        return np.array([[c, -s], [s, c]])

    def apply(self, points: np.ndarray) -> np.ndarray:
        """(..., 2) points."""
        return np.asarray(points, float) @ (self.scale * self.rotation).T + np.asarray(self.shift)

    def then(self, other: "Similarity") -> "Similarity":
        """``other`` applied after ``self``."""
        shift = other.apply(np.asarray(self.shift))
        return Similarity(self.scale * other.scale, self.angle + other.angle, (float(shift[0]), float(shift[1])))

    def inverse(self) -> "Similarity":
        inv = Similarity(1.0 / self.scale, -self.angle)
        shift = -inv.apply(np.asarray(self.shift))
        return Similarity(inv.scale, inv.angle, (float(shift[0]), float(shift[1])))

    def chamber(self, ch: Chamber) -> Chamber:
        """The chamber moved and scaled (its contour is the moved contour)."""
        k = self.scale
        return Chamber(self.apply(ch.apex), self.rotation @ ch.axis, ch.length * k, ch.width_left * k,
                       ch.width_right * k, ch.centre, ch.power, ch.bend * k, ch.ripple)


def rotation_about(pivot: tuple[float, float], angle: float, shift: tuple[float, float] = (0.0, 0.0)) -> Similarity:
    """Rotation by ``angle`` about ``pivot``, then a translation."""
    r = Similarity(1.0, angle)
    moved = np.asarray(pivot) - r.apply(np.asarray(pivot)) + np.asarray(shift)
    return Similarity(1.0, angle, (float(moved[0]), float(moved[1])))


@dataclass(frozen=True)
class Motion:
    """Per-frame rigid motion: rotation (radians) about ``pivot`` and translation (px)."""

    pivot: tuple[float, float]
    angle: np.ndarray  # (T,)
    shift: np.ndarray  # (T, 2)

    def at(self, frame: int) -> Similarity:
        return rotation_about(self.pivot, float(self.angle[frame]), tuple(self.shift[frame]))

    @staticmethod
    def still(frames: int, pivot: tuple[float, float] = (0.0, 0.0)) -> "Motion":
        return Motion(pivot, np.zeros(frames), np.zeros((frames, 2)))


def draw_motion(rng: np.random.Generator, frames: int, fps: float, pivot: tuple[float, float],
                amplitude: float = 1.0) -> Motion:
    """Breathing (a mostly vertical sinusoidal shift) and probe rocking (two slow sinusoids)."""
    t = np.arange(frames) / float(fps)
    breath = 2 * np.pi * t / rng.uniform(3.0, 6.0) + rng.uniform(0, 2 * np.pi)
    direction = np.radians(rng.uniform(55.0, 125.0))
    excursion = rng.uniform(0.4, 2.5) * amplitude
    shift = excursion * np.sin(breath)[:, None] * np.array([np.cos(direction), np.sin(direction)])
    shift = shift + rng.uniform(0.0, 0.8) * amplitude * np.sin(2 * np.pi * t / rng.uniform(2.0, 7.0)
                                                                 + rng.uniform(0, 2 * np.pi))[:, None] * [1.0, 0.0]
    angle = np.zeros(frames)
    for _ in range(2):
        degrees = rng.uniform(0.2, 1.5) * amplitude
        angle += np.radians(degrees) * np.sin(2 * np.pi * t / rng.uniform(2.0, 8.0) + rng.uniform(0, 2 * np.pi))
    return Motion((float(pivot[0]), float(pivot[1])), angle, shift)
