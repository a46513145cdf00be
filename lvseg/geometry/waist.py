"""The base of the LV as a mask model may miss it: cut a predicted LV at the waist where it runs into the atrium.

Experts close the LV with a straight line between the two mitral-annulus hinge points, whatever the leaflets
show. On real echoes the leaflets are often faint and the left atrium is as dark as the LV and directly below
it, so a model's mask may run through the valve into the atrium. Such a mask has a shape no ventricle has:
along its long axis (apex at the top of an apical view) it narrows at the annulus, the narrowest section
between LV and LA, and widens again into the atrium. A ventricle alone only narrows toward its base. So the
rule: measure the mask's width along its long axis; where, past the widest part of the ventricle, the width
falls to a waist and then grows again by a clear margin over a clear length, everything beyond the waist is
atrium and is cut off, along the line through the waist's two boundary points (perpendicular to the axis).
A mask without such a waist is returned unchanged, so the rule only acts on the shape of a leak.

Measured, and not part of the output rule (lvseg.inference.decode): on leaks built from the generator's label
maps (true LV joined with the true LA; benchmarks/waist.py, seed 1, heldout-base-hidden) it cuts 40-48 % of the
end-systolic leaks back to the base (median ES area x1.90 -> x1.63 for the whole LA, x1.34 -> x1.17 for its
half next to the valve; no mask without a leak changed), but on the masks of models trained on the synthetic data it removed no leak (they do not leak
in that shape) and cut the true base off 1-3 % of hazy frames, costing 0.003-0.006 mean Dice on held-out
haze and blur (benchmarks/transfer.py, column mask+cut). A rule that only costs on what can be measured is
not the default; ``waist:M`` model specs (lvseg.inference.waist_cut) apply it in evaluate, analyze and stream,
for the check on real echoes. Defaults chosen on seed 0's TRAIN split
(simulated leaks) and VAL plus seed 2 of the held-out appearance styles (model masks).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class WaistRule:
    """When a narrowing of the mask counts as the annulus with atrium beyond it (widths in px along the axis)."""

    # The waist lies in the basal part: at least this fraction of the mask's length from the apex (the LV's
    # widest section is mid-cavity or basal; the annulus is below it).
    min_position: float = 0.45
    # Beyond the waist the mask must widen again by this factor over the waist's width (an atrium is a
    # chamber, not the 1-2 px staircase of a mask's edge) ...
    regrowth: float = 1.15
    # ... and continue at least this many px past the waist (a stub below the base line is the rule's
    # straight closing edge, not an atrium).
    min_beyond: int = 6
    # The waist must also be narrower than the ventricle's widest section by this factor.
    narrowing: float = 0.85


NECK_TOLERANCE = 0.05  # relative widths within 5 % of the deepest waist belong to the same neck


def largest_component(mask: np.ndarray) -> np.ndarray:
    """The largest 8-connected component of a 0/1 mask (uint8); an empty mask stays empty."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return np.zeros(mask.shape, np.uint8)
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return (labels == biggest).astype(np.uint8)


def long_axis(ys: np.ndarray, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(centre (x, y), unit direction pointing down the image: apex to base in an apical view)."""
    points = np.stack([xs, ys], axis=1).astype(np.float64)
    centre = points.mean(axis=0)
    _, vectors = np.linalg.eigh(np.cov((points - centre).T))
    direction = vectors[:, -1]
    return centre, direction if direction[1] >= 0 else -direction


def width_profile(positions: np.ndarray, across: np.ndarray) -> np.ndarray:
    """The mask's extent across the axis in each 1-px slab along it, smoothed over 3 slabs.

    The extent (outermost pixel to outermost pixel), not the pixel count: holes and inner notches that haze
    makes in a mask are not a narrowing of the chamber; only its outline is."""
    slabs = int(positions.max()) + 1
    low, high = np.full(slabs, np.inf), np.full(slabs, -np.inf)
    np.minimum.at(low, positions, across)
    np.maximum.at(high, positions, across)
    extent = np.where(np.isfinite(low), high - low + 1.0, 0.0)
    return np.convolve(extent, np.ones(3) / 3.0, mode="same")


def find_waist(widths: np.ndarray, rule: WaistRule = WaistRule()) -> int | None:
    """The slab of the deepest waist that has a ventricle above it and an atrium beyond it, or None."""
    length = len(widths)
    above = np.maximum.accumulate(np.concatenate([[0.0], widths[:-1]]))        # widest before slab k
    beyond = np.maximum.accumulate(np.concatenate([widths[1:], [0.0]])[::-1])[::-1]  # widest after it
    k = np.arange(length)
    ok = ((k >= int(rule.min_position * length)) & (k < length - rule.min_beyond) & (widths > 0)
          & (widths <= rule.narrowing * above) & (beyond >= rule.regrowth * widths))
    if not ok.any():
        return None
    depths = {int(i): float(widths[i] / min(above[i], beyond[i])) for i in np.flatnonzero(ok)}
    # A valve seen edge-on is a short neck of near-equal widths: cut at its apical end, where the hinge
    # points are, not wherever pixel noise puts the minimum.
    deepest = min(depths.values())
    return min(k for k, depth in depths.items() if depth <= deepest + NECK_TOLERANCE)


def axis_slabs(component: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """(ys, xs, slab, widths) of a component's pixels: each pixel's 1-px slab along the long axis (0 at the apex
    end) and the width profile over the slabs; None for under 3 pixels (no axis)."""
    ys, xs = np.nonzero(component)
    if len(ys) < 3:
        return None
    centre, direction = long_axis(ys, xs)
    along = (xs - centre[0]) * direction[0] + (ys - centre[1]) * direction[1]
    across = (xs - centre[0]) * -direction[1] + (ys - centre[1]) * direction[0]
    positions = np.round(along - along.min()).astype(np.int64)
    return ys, xs, positions, width_profile(positions, across)


def cut_at_waist(mask: np.ndarray, rule: WaistRule = WaistRule()) -> np.ndarray:
    """The mask's largest component, with anything beyond an annulus-like waist removed (uint8 0/1)."""
    component = largest_component(mask)
    slabs = axis_slabs(component)
    if slabs is None:
        return component
    ys, xs, positions, widths = slabs
    waist = find_waist(widths, rule)
    if waist is None:
        return component
    cut = component.copy()
    cut[ys[positions > waist], xs[positions > waist]] = 0
    return largest_component(cut)
