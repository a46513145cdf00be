"""Anatomy label maps: every frame is first a map of tissue classes that move with the cardiac cycle.

Classes (uint8): see ``CLASSES``. The LV's traced region is LV_BLOOD + LV_TRABECULAE: the trabeculae's
tips, papillary muscles and any open mitral leaflet tip inside it belong to it. The sonographer's border is
the first blood-tissue edge, closed straight across the base: most of the trabecular zone, the wall's
non-compacted layer (LV_NONCOMPACT strands with LV_RECESS blood between them, deeper at the apex and at
end-systole), lies outside the tracing, as the inner part of the grey myocardium (LV_MYO, thicker at
end-systole). Real frames show it: averaged over 60 real EchoNet videos, grey stays blood-dark up to the
traced border and rises over the 4 px outside it (lvseg.synth.stats.REAL_STRUCTURE); a generator that puts
the trabeculae inside the tracing teaches models to draw the border 1-2 px too far out. Around it lie the
septum (SEPTUM, between the LV and RV cavities), the pericardium, the RV with its wall, both atria with
their walls, the mitral and tricuspid annulus and leaflets, extracardiac tissue and, in some clips, a lung
(air) region at the side.

Rasterisation: a label map is drawn on a grid ``k`` times finer than the image (``k`` raster px per
image px, raster coordinate = k * x + (k - 1) / 2 so pixel centres coincide). For EchoNet the LV
region is the frame's official tracing polygon: at k = 1 it is filled with the official rule
(lvseg.geometry.mask.polygon_mask), so the LV classes equal the official mask of the frame's tracing
pixel for pixel; on finer grids it is filled with 1/16-px precision. Blood of the true cavity beyond the
tracing's last chord (the mitral orifice) is labelled LA_BLOOD: the traced base is open to the atrium.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lvseg.geometry.mask import polygon_mask
from lvseg.synth.anatomy import Chamber, Heart
from lvseg.synth.motion import Similarity

CLASSES = ("extracardiac", "lv_blood", "lv_trabeculae", "lv_myo", "septum", "rv_blood", "rv_wall", "la_blood",
           "ra_blood", "atrial_wall", "mitral", "tricuspid", "pericardium", "lung", "annulus", "lv_noncompact",
           "lv_recess")
(EXTRA, LV_BLOOD, LV_TRABECULAE, LV_MYO, SEPTUM, RV_BLOOD, RV_WALL, LA_BLOOD, RA_BLOOD, ATRIAL_WALL, MITRAL,
 TRICUSPID, PERICARDIUM, LUNG, ANNULUS, LV_NONCOMPACT, LV_RECESS) = range(len(CLASSES))
LV_CLASSES = (LV_BLOOD, LV_TRABECULAE)
BLOOD_CLASSES = (LV_BLOOD, RV_BLOOD, LA_BLOOD, RA_BLOOD, LV_RECESS)
TRAB_GRID = (64, 32)  # trabecular pattern: rows along the LV axis (apex -> base), columns across it


@dataclass(frozen=True)
class Extras:
    """Static anatomy details of one clip (lengths in anatomy px)."""

    trabecular_field: np.ndarray  # float32 TRAB_GRID, thresholded at ``trabecular_level``
    trabecular_level: float
    trabecular_zone: float        # depth of the trabecular zone at ED, around the tracing
    traced_share: float           # share of that depth inside the tracing (the trabeculae's tips)
    papillary: tuple[tuple[float, float, float, int], ...]  # (position along L, radius along, across, side)
    rv_wall: float
    atrial_wall: float
    pericardium: float
    leaflet: float                # leaflet length / annulus span
    systolic_opening: float       # valve opening kept while the valve should be shut (0 in every training clip)
    lung: tuple[float, float, float, float] | None  # (along L, beyond the lateral wall px, radius along, across)


def draw_extras(rng: np.random.Generator, trabeculae: float, papillary: tuple[bool, bool], lung: bool,
                systolic_opening: float = 0.0, traced_share: float = 0.3) -> Extras:
    """Random trabeculation, papillary muscles, wall thicknesses and lung position of one clip."""
    field = cv2.GaussianBlur(rng.standard_normal(TRAB_GRID).astype(np.float32), (0, 0), sigmaX=1.2, sigmaY=2.5)
    level = float(np.quantile(field, 1.0 - trabeculae))
    muscles = tuple((rng.uniform(0.45, 0.72), rng.uniform(3.0, 6.0), rng.uniform(1.5, 3.0), side)
                    for side, present in zip((1, -1), papillary) if present)
    lung_at = (rng.uniform(0.2, 0.8), rng.uniform(10.0, 22.0), rng.uniform(10.0, 22.0), rng.uniform(6.0, 14.0))
    return Extras(field, level, rng.uniform(1.05, 2.45), traced_share, muscles, rng.uniform(1.5, 3.0),
                  rng.uniform(1.0, 2.2), rng.uniform(2.0, 4.0), rng.uniform(0.38, 0.5), systolic_opening,
                  lung_at if lung else None)


@dataclass(frozen=True)
class FrameAnatomy:
    """One frame's chambers in image coordinates (after motion), with the LV region's polygon."""

    chambers: dict[str, Chamber]
    lv_polygon: np.ndarray  # (N, 2) (x, y): the official tracing polygon (EchoNet) or the LV contour (CAMUS)
    official: bool          # fill lv_polygon with the official rule at k = 1
    c: float
    valve: float            # mitral (and tricuspid) opening, 0 closed .. 1 wide open
    wall: float             # LV wall thickness, image px
    septum: float           # septal thickness, image px
    wall_growth: float      # wall(c) / wall(ED)
    scale: float = 1.0      # image px per anatomy px


def frame_anatomy(heart: Heart, c: float, valve: float, to_image: Similarity,
                  polygon: np.ndarray | None = None) -> FrameAnatomy:
    """The heart at LV state c moved by ``to_image``; ``polygon`` (image coords) = the official tracing polygon."""
    chambers = {k: to_image.chamber(ch) for k, ch in heart.chambers(c).items()}
    wall = heart.wall(c)
    lv_polygon = chambers["lv"].contour() if polygon is None else np.asarray(polygon, float)
    return FrameAnatomy(chambers, lv_polygon, polygon is not None, float(c), float(valve), wall * to_image.scale,
                        heart.septum * wall / heart.wall_ed * to_image.scale, wall / heart.wall_ed, to_image.scale)


def fill(points: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """bool mask of a closed (N, 2) (x, y) polygon in raster coordinates, 1/16-px precision."""
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(points * 16).astype(np.int32)], 1, lineType=cv2.LINE_8, shift=4)
    return mask.astype(bool)


def _outside(mask: np.ndarray) -> np.ndarray:
    """Distance (raster px) outside a mask; 0 inside."""
    return cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_3)


def _axis_coords(ch: Chamber, grid: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(along the axis from the apex, across it toward image-right) of every raster pixel."""
    x, y = grid
    f = np.float32
    dx, dy = x - f(ch.apex[0]), y - f(ch.apex[1])
    lat = ch.lateral
    return dx * f(ch.axis[0]) + dy * f(ch.axis[1]), dx * f(lat[0]) + dy * f(lat[1])


def _valve(shape: tuple[int, int], ch: Chamber, opening: float, leaflet: float, thick: int
           ) -> tuple[np.ndarray, np.ndarray]:
    """(leaflets, annulus) masks: two leaflets across the base when closed, swung toward the apex when open,
    and the two annulus hinges, small fibrous rings that stay put whatever the leaflets do."""
    leaflets, annulus = np.zeros(shape, np.uint8), np.zeros(shape, np.uint8)
    left, right = ch.base_points
    span = float(np.linalg.norm(right - left))
    for hinge, other, length in ((left, right, leaflet * 1.15), (right, left, leaflet * 0.85)):
        across = (other - hinge) / max(span, 1e-6)
        direction = across * (1.0 - opening) - ch.axis * opening
        tip = hinge + direction / np.linalg.norm(direction) * span * length + ch.axis * 0.06 * span * (1 - opening)
        p, q = (tuple(int(v) for v in np.round(pt * 16)) for pt in (hinge, tip))
        cv2.line(leaflets, p, q, 1, thick, cv2.LINE_8, shift=4)
        cv2.circle(annulus, p, int(round(16 * 0.08 * span)), 1, -1, cv2.LINE_8, shift=4)
    return leaflets.astype(bool), annulus.astype(bool)


def label_map(frame: FrameAnatomy, extras: Extras, shape: tuple[int, int], k: int = 1) -> np.ndarray:
    """uint8 class map of one frame on a raster ``k`` times finer than the image (see the module docstring)."""
    raster = Similarity(float(k), 0.0, ((k - 1) / 2.0, (k - 1) / 2.0))
    ch = {name: raster.chamber(c) for name, c in frame.chambers.items()}
    poly = raster.apply(frame.lv_polygon)
    if frame.official and k == 1:
        lv = polygon_mask(poly[:, 0], poly[:, 1], shape).astype(bool)
    else:
        lv = fill(poly, shape)
    rv = fill(ch["rv"].contour(), shape) & ~lv
    atria = {name: fill(ch[name].contour(), shape) & ~lv & ~rv for name in ("la", "ra")}
    atria["ra"] &= ~atria["la"]
    grid = np.meshgrid(np.arange(shape[1], dtype=np.float32), np.arange(shape[0], dtype=np.float32))
    along, across = _axis_coords(ch["lv"], grid)
    rv_along, _ = _axis_coords(ch["rv"], grid)
    length, rv_length = ch["lv"].length, ch["rv"].length
    d_lv, d_rv = _outside(lv), _outside(rv)
    d_at = _outside(atria["la"] | atria["ra"])
    wall, sep = frame.wall * k, frame.septum * k
    k_px = k * frame.scale  # raster px per anatomy px
    rv_wall, peri, at_wall = (v * k_px * frame.wall_growth ** 0.5 for v in (extras.rv_wall, extras.pericardium,
                                                                          extras.atrial_wall))
    above, rv_above = along <= length, rv_along <= rv_length
    zone, strands = _trabecular_zone(frame, extras, ch["lv"], along, across, k_px)
    tips, zone = extras.traced_share * zone, (1.0 - extras.traced_share) * zone
    labels = np.full(shape, EXTRA, np.uint8)
    labels[((d_lv > wall) & (d_lv <= wall + peri) & above)
           | ((d_rv > rv_wall) & (d_rv <= rv_wall + peri) & rv_above)] = PERICARDIUM
    labels[(d_lv > 0) & (d_lv <= wall) & above] = LV_MYO
    labels[(d_rv > 0) & (d_rv <= rv_wall) & rv_above & (labels != LV_MYO)] = RV_WALL
    labels[(d_at > 0) & (d_at <= at_wall) & ((labels == EXTRA) | (labels == PERICARDIUM))] = ATRIAL_WALL
    labels[(d_lv > 0) & (d_rv > 0) & (d_lv + d_rv <= sep + 2.0 * k_px) & above] = SEPTUM
    layer = (d_lv > 0) & (d_lv <= zone) & above
    labels[layer] = np.where(strands[layer], LV_NONCOMPACT, LV_RECESS)
    labels[rv], labels[atria["la"]], labels[atria["ra"]] = RV_BLOOD, LA_BLOOD, RA_BLOOD
    labels[fill(ch["lv"].contour(), shape) & ~lv & (along > 0.5 * length)] = LA_BLOOD  # the mitral orifice
    labels[lv] = LV_BLOOD
    depth = cv2.distanceTransform(lv.astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_3)
    papillary = _papillary(frame, extras, ch["lv"], along, across, k_px)
    labels[lv & (((depth <= tips) & strands) | papillary)] = LV_TRABECULAE
    thick = max(1, int(round(0.8 * k_px)))
    opening = max(frame.valve, extras.systolic_opening)
    for name, value in (("lv", MITRAL), ("rv", TRICUSPID)):
        leaflets, annulus = _valve(shape, ch[name], opening, extras.leaflet, thick)
        labels[leaflets & ~lv] = value
        labels[annulus & ~lv] = ANNULUS
        labels[(leaflets | annulus) & lv] = LV_TRABECULAE
    if extras.lung is not None:
        labels[_lung(extras.lung, ch["lv"], along, across, k_px) & (labels == EXTRA)] = LUNG
    return labels


def _trabecular_zone(frame: FrameAnatomy, extras: Extras, lv: Chamber, along: np.ndarray, across: np.ndarray,
                     k: float) -> tuple[np.ndarray, np.ndarray]:
    """(depth of the trabecular zone per raster px, its strands): a random pattern in LV-normalised
    coordinates, the zone deeper toward the apex and as the wall thickens at end-systole, its recesses fewer."""
    f = np.float32
    s = np.clip(along * f(1.0 / lv.length), f(0.0), f(1.0))
    rows, cols = TRAB_GRID
    scale_across = f(0.5 * (cols - 1) / (0.5 * (lv.width_left + lv.width_right)))
    map_x = np.clip(across * scale_across + f(0.5 * (cols - 1)), f(0), f(cols - 1))
    pattern = cv2.remap(extras.trabecular_field, map_x, s * f(rows - 1), cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_REPLICATE)
    zone = f(extras.trabecular_zone * k * frame.wall_growth) * (f(1.8) - f(0.8) * s)
    # in systole the strands pack together and the recesses between them empty, as the wall's area grows
    level = extras.trabecular_level
    if frame.wall_growth > 1.0:
        recess = float(np.mean(extras.trabecular_field <= level)) / frame.wall_growth ** 2
        level = float(np.quantile(extras.trabecular_field, recess))
    return zone, pattern > level


def _papillary(frame: FrameAnatomy, extras: Extras, lv: Chamber, along: np.ndarray, across: np.ndarray,
               k: float) -> np.ndarray:
    """The papillary muscles: ellipses against the wall inside the traced cavity, thicker as they contract."""
    out = np.zeros(along.shape, bool)
    growth = 1.0 + 0.3 * (1.0 - frame.c)
    for position, r_along, r_across, side in extras.papillary:
        at = position * lv.length
        wall = side * lv.half_width(np.array([at]), side)[0] + lv.bend * 4.0 * position * (1.0 - position)
        centre = wall - side * 0.7 * r_across * k * growth
        out |= ((along - at) / (r_along * k * growth)) ** 2 + ((across - centre) / (r_across * k * growth)) ** 2 <= 1
    return out


def _lung(lung: tuple[float, float, float, float], lv: Chamber, along: np.ndarray, across: np.ndarray,
          k: float) -> np.ndarray:
    """An elliptic air region beyond the LV's lateral (image-right) wall."""
    position, beyond, r_along, r_across = lung
    at = position * lv.length
    centre = lv.half_width(np.array([max(at, 1.0)]), 1)[0] + (beyond + r_across) * k
    return ((along - at) / (r_along * k)) ** 2 + ((across - centre) / (r_across * k)) ** 2 <= 1
