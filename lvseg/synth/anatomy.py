"""Apical four-chamber anatomy: the LV, RV and both atria as closed contours that move with the cycle.

Each chamber is a "bullet": a superellipse of half-length ``c*L`` centred ``c*L`` from its apex, cut
flat at its base ``L`` from the apex, so it is rounded at the apex and slightly narrower at the
valve annulus than at mid-cavity, as a real LV is. Everything is in 112x112 pixel coordinates
(x = column, y = row) of the EchoNet frame; CAMUS reuses it at a different scale.

The LV state is one number ``c`` in [0, 1] (1 = end-diastole, 0 = end-systole). Between the two the
apex stays almost still while the base descends toward it (long-axis shortening ``a``) and the walls
come in (width factor ``b``). Because the whole shape scales affinely, the method-of-disks volume
scales by ``a * b**2``, so the sampled ejection fraction is reproduced by the tracings.
The RV sits image-left of the septum, the left atrium below the mitral annulus and the right atrium
below the tricuspid one; the atria fill while the ventricles empty.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from lvseg.geometry.disks import tracing_from_contour
from lvseg.geometry.mask import Tracing, tracing_mask

# Accepted LV geometry (from the real traced-frame statistics in the project reference), with a
# small margin inside each bound so that the measured values land in the real ranges.
ED_AREA = (1080.0, 2650.0)
ES_AREA = (660.0, 1600.0)
AREA_RATIO = (1.32, 1.88)  # only enforced for EF 45-66 %: other EFs imply ratios outside the sample
AXIS_LENGTH = (44.0, 74.0)
APEX_X, APEX_Y = (43.0, 63.0), (13.0, 35.0)
BASE_X, BASE_Y = (59.0, 79.0), (68.0, 99.0)
AXIS_ANGLE = (67.0, 85.0)  # degrees below the horizontal, pointing down-right
CONTOUR_SAMPLES = 48  # points per wall


@dataclass(frozen=True)
class Chamber:
    """A chamber shape at one instant: apex point, unit axis toward the base, length and widths."""

    apex: np.ndarray
    axis: np.ndarray
    length: float
    width_left: float   # half-width on the image-left (-lateral) side
    width_right: float  # half-width on the image-right side
    centre: float = 0.6  # position of the widest point, as a fraction of the length
    power: float = 2.0   # superellipse exponent: < 2 gives a more pointed apex
    bend: float = 0.0    # centre-line bow, in px at mid-length (positive = image-right)
    ripple: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # amplitude/phase of 2 harmonics
    # a wall segment that moves less than the rest: (extra half-width share, centre and spread as fractions of
    # the length, side -1 image-left / +1 image-right); see Heart.lv
    regional: tuple[float, float, float, int] = (0.0, 0.5, 0.2, 1)

    @property
    def lateral(self) -> np.ndarray:
        """Unit vector perpendicular to the axis, pointing image-right when the axis points down."""
        return np.array([self.axis[1], -self.axis[0]]) * (1 if self.axis[1] >= 0 else -1)

    def half_width(self, s: np.ndarray, side: int) -> np.ndarray:
        """Half-width at distances ``s`` from the apex along the axis, image-left (side -1) or right (+1)."""
        return self._half_width(np.asarray(s, float), self.width_left if side < 0 else self.width_right, side)

    def _half_width(self, s: np.ndarray, width: float, side: int) -> np.ndarray:
        half = self.centre * self.length
        rel = np.clip(np.abs(s - half) / half, 0.0, 1.0)
        w = width * (1.0 - rel**self.power) ** (1.0 / self.power)
        a2, p2, a3, p3 = self.ripple
        x = s / self.length
        w = w * (1.0 + a2 * np.sin(2 * np.pi * x + p2) + a3 * np.sin(3 * np.pi * x + p3))
        extra, centre, spread, regional_side = self.regional
        if extra and side == regional_side:
            w = w * (1.0 + extra * np.exp(-0.5 * ((x - centre) / spread) ** 2))
        return w

    def contour(self) -> np.ndarray:
        """Closed contour (2*CONTOUR_SAMPLES+1, 2) of (x, y): apex, down the left wall, base, up the right wall."""
        return self._contour

    @cached_property
    def _contour(self) -> np.ndarray:
        s = self.length * np.linspace(0.0, 1.0, CONTOUR_SAMPLES + 1)[1:] ** 1.4  # denser near the apex
        bow = self.bend * 4.0 * (s / self.length) * (1.0 - s / self.length)
        left = -self._half_width(s, self.width_left, -1) + bow
        right = self._half_width(s, self.width_right, 1) + bow
        local = np.concatenate([[[0.0, 0.0]], np.stack([s, left], 1), np.stack([s, right], 1)[::-1]])
        return self.apex + local[:, :1] * self.axis + local[:, 1:] * self.lateral

    @property
    def base_points(self) -> tuple[np.ndarray, np.ndarray]:
        """The two annulus hinge points (image-left, image-right)."""
        pts = self.contour()
        n = (len(pts) - 1) // 2
        return pts[n], pts[n + 1]

    @property
    def base_mid(self) -> np.ndarray:
        left, right = self.base_points
        return (left + right) / 2.0

    def tracing(self) -> Tracing:
        """The 21-row EchoNet tracing of this contour (long axis apex -> annulus midpoint, 20 chords)."""
        return tracing_from_contour(self.contour(), self.apex, self.base_mid)


@dataclass(frozen=True)
class Heart:
    """One video's heart: end-diastolic LV plus how every chamber changes with the LV state ``c``."""

    lv_ed: Chamber
    shortening: float      # a: L_es / L_ed
    narrowing: float       # b: W_es / W_ed
    apex_shift: np.ndarray  # apex displacement at ES (px)
    wall_ed: float         # LV myocardium thickness at ED (px); thicker at ES (constant wall area)
    septum: float          # gap between LV and RV cavities at ED (px)
    rv_scale: tuple[float, float, float]  # RV length/L, width/W, how much it contracts
    atria: tuple[float, float, float, float]  # LA length/L, LA bulge, RA length/L, RA bulge
    # regional hypokinesis: (share of the segment's inward wall motion lost, centre, spread, side); 0 = none
    hypokinesis: tuple[float, float, float, int] = (0.0, 0.5, 0.2, 1)

    def lv(self, c: float) -> Chamber:
        """The LV at state c (1 = ED, 0 = ES).

        A hypokinetic segment keeps a share h of the width the rest of the wall gives up: its width factor is
        k + h (1 - k) where the others' is k, i.e. (1 + h (1 - k) / k) times theirs."""
        ed = self.lv_ed
        k_len = self.shortening + (1.0 - self.shortening) * c
        k_wid = self.narrowing + (1.0 - self.narrowing) * c
        h, centre, spread, side = self.hypokinesis
        regional = (h * (1.0 - k_wid) / k_wid, centre, spread, side)
        return Chamber(ed.apex + (1.0 - c) * self.apex_shift, ed.axis, ed.length * k_len, ed.width_left * k_wid,
                       ed.width_right * k_wid, ed.centre, ed.power, ed.bend * k_wid, ed.ripple, regional)

    def wall(self, c: float) -> float:
        """Myocardial thickness at state c: the wall thickens as the cavity shrinks."""
        grow = 1.0 / np.sqrt(self.shortening * self.narrowing)  # sqrt of the ED/ES area ratio
        return self.wall_ed * (1.0 + (grow - 1.0) * 1.1 * (1.0 - c))

    def chambers(self, c: float) -> dict[str, Chamber]:
        """LV, RV, LA and RA at state c."""
        lv = self.lv(c)
        wall = self.wall(c)
        sep = self.septum * wall / self.wall_ed
        rv_len, rv_wid, rv_k = self.rv_scale
        k = 1.0 - rv_k * (1.0 - c)
        rv_w = self.lv_ed.width_left * rv_wid * k
        hinge_l, hinge_r = lv.base_points
        # the tricuspid annulus is a little more apical than the mitral one
        rv_base = hinge_l - lv.lateral * (sep + rv_w) - lv.axis * 0.06 * lv.length
        rv_axis = _rotate(lv.axis, -0.06)
        rv_length = self.lv_ed.length * rv_len * (1.0 - 0.5 * (1.0 - self.shortening) * (1.0 - c))
        rv = Chamber(rv_base - rv_axis * rv_length, rv_axis, rv_length, rv_w, rv_w * 0.9, 0.74, 1.7)
        la_len, la_wid, ra_len, ra_wid = self.atria
        fill = 1.0 + 0.18 * (1.0 - c)  # atria are largest at ventricular end-systole
        # the atria hang from their annulus: their top matches it, they bulge a little below
        la_w = float(np.linalg.norm(hinge_r - hinge_l)) / 2.0 / 0.92 * la_wid * fill
        la = _atrium(hinge_l, hinge_r, lv.axis, self.lv_ed.length * la_len * fill, la_w)
        r_l, r_r = rv.base_points
        ra_w = float(np.linalg.norm(r_r - r_l)) / 2.0 / 0.92 * ra_wid * fill
        ra = _atrium(r_l, r_r, rv.axis, self.lv_ed.length * ra_len * fill, ra_w)
        return {"lv": lv, "rv": rv, "la": la, "ra": ra}


def _rotate(v: np.ndarray, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


def _atrium(hinge_a: np.ndarray, hinge_b: np.ndarray, axis: np.ndarray, length: float, width: float) -> Chamber:
    """An atrium hanging below an annulus: its flat base is the annulus, its rounded 'apex' points down."""
    mid = (hinge_a + hinge_b) / 2.0
    return Chamber(mid + axis * length, -axis, length, width, width, 0.72, 2.0)


def cycle(phase: np.ndarray, systole: float) -> np.ndarray:
    """LV state c in [0, 1] at cycle phase(s) in [0, 1): 1 at phase 0 (ED), 0 at ``systole`` (ES).

    Ejection (cosine), rapid filling to 80 %, slow diastasis to 85 %, then the atrial kick back to 1.
    """
    p = np.mod(phase, 1.0)
    fill_end, kick = systole + 0.22, 0.86
    out = np.empty_like(p, dtype=np.float64)
    a = p < systole
    out[a] = 0.5 * (1.0 + np.cos(np.pi * p[a] / systole))
    b = (p >= systole) & (p < fill_end)
    out[b] = 0.8 * 0.5 * (1.0 - np.cos(np.pi * (p[b] - systole) / (fill_end - systole)))
    d = (p >= fill_end) & (p < kick)
    out[d] = 0.8 + 0.05 * (p[d] - fill_end) / (kick - fill_end)
    e = p >= kick
    out[e] = 0.85 + 0.15 * 0.5 * (1.0 - np.cos(np.pi * (p[e] - kick) / (1.0 - kick)))
    return out


def shortening_for_ef(ef: float, rng: np.random.Generator) -> tuple[float, float]:
    """(a, b) with a * b**2 = ESV/EDV: long-axis shortening a and width factor b for an EF in %."""
    ratio = float(np.clip(1.0 - ef / 100.0, 0.05, 0.97))
    # area ratio ED/ES = 1 / sqrt(ratio * a): keep it <= AREA_RATIO[1] where that is possible
    lowest = min(0.97, max(ratio**0.22, 1.0 / (AREA_RATIO[1] ** 2 * ratio)))
    a = float(np.clip(ratio ** rng.uniform(0.1, 0.22), lowest, 0.97))
    return a, float(np.sqrt(ratio / a))


def _in(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def tracing_checks(ed: Tracing, es: Tracing, ef: float) -> bool:
    """True when an ED and an ES tracing fall inside the real EchoNet ranges (area, ratio, long axis)."""
    a_ed, a_es = float(tracing_mask(ed).sum()), float(tracing_mask(es).sum())
    ok = _in(a_ed, ED_AREA) and _in(a_es, ES_AREA) and (not 45 <= ef <= 66 or _in(a_ed / a_es, AREA_RATIO))
    for t in (ed, es):
        apex, base = t.long_axis
        d = base - apex
        angle = np.degrees(np.arctan2(d[1], d[0]))
        ok = ok and _in(float(np.hypot(*d)), AXIS_LENGTH) and _in(angle, AXIS_ANGLE)
        ok = ok and _in(apex[0], APEX_X) and _in(apex[1], APEX_Y) and _in(base[0], BASE_X) and _in(base[1], BASE_Y)
    return bool(ok)


def lv_checks(heart: Heart, ef: float) -> bool:
    """True when the (unmoved) ED and ES tracings fall inside the real EchoNet ranges."""
    try:
        ed, es = heart.lv(1.0).tracing(), heart.lv(0.0).tracing()
    except ValueError:
        return False
    return tracing_checks(ed, es, ef)


def sample_heart(rng: np.random.Generator, ef: float, max_tries: int = 400,
                 hypokinesis: tuple[float, float, float, int] = (0.0, 0.5, 0.2, 1)) -> Heart:
    """A random heart whose LV reproduces ``ef`` (less the motion a hypokinetic segment loses) and whose ED/ES
    tracings are in the real ranges."""
    for _ in range(max_tries):
        heart = dataclasses.replace(_draw_heart(rng, ef), hypokinesis=hypokinesis)
        if lv_checks(heart, ef):
            return heart
    raise RuntimeError(f"no plausible heart found for EF {ef:.1f} in {max_tries} draws")


def _draw_heart(rng: np.random.Generator, ef: float) -> Heart:
    angle = np.radians(rng.uniform(68.0, 84.0))
    axis = np.array([np.cos(angle), np.sin(angle)])
    length = rng.uniform(56.0, 73.0)
    width = length * rng.uniform(0.21, 0.33)
    asym = rng.uniform(-0.08, 0.12)
    apex = np.array([rng.uniform(44.0, 62.0), rng.uniform(14.0, 30.0)])
    ripple = (rng.uniform(-0.04, 0.04), rng.uniform(0, 2 * np.pi), rng.uniform(-0.03, 0.03), rng.uniform(0, 2 * np.pi))
    lv = Chamber(apex, axis, length, width * (1 - asym), width * (1 + asym), rng.uniform(0.56, 0.68),
                 rng.uniform(1.7, 2.3), rng.uniform(-1.5, 1.5), ripple)
    a, b = shortening_for_ef(ef, rng)
    apex_shift = rng.normal(0.0, 0.7, 2)
    return Heart(lv, a, b, apex_shift, wall_ed=rng.uniform(4.5, 6.5), septum=rng.uniform(5.0, 7.5),
                 rv_scale=(rng.uniform(0.55, 0.72), rng.uniform(0.6, 0.85), rng.uniform(0.15, 0.3)),
                 atria=(rng.uniform(0.5, 0.7), rng.uniform(1.0, 1.25), rng.uniform(0.5, 0.7), rng.uniform(1.0, 1.3)))
