"""Appearance styles: the ranges every clip's scanner, patient and rendering mode are drawn from.

A ``Style`` holds (low, high) ranges (drawn uniformly per clip) and a few probabilities; ``draw_look``
turns one into a concrete ``Look`` for one clip. Lengths are in anatomy pixels (the 112-px EchoNet
frame, 1.25 mm each) and scaled to output pixels by the caller's ``scale`` (CAMUS frames are larger).
Levels are in dB relative to the myocardium's scattering.

Named presets (``STYLES``):
  train              the default: physically motivated B-mode (lvseg.synth.bmode) for most clips,
                     domain randomization (lvseg.synth.randomize) for ``randomized_share`` of the TRAIN
                     clips and blended into ``blend_share`` of the others (VAL and TEST: B-mode only);
  bmode              the training ranges, B-mode only (the appearance statistics tests use it);
  heldout-haze       near-field clutter and cavity haze far stronger and deeper than in training;
  heldout-psf        a much lower-resolution scanner: axial and lateral PSF 2x wider than in training;
  heldout-contrast   low dynamic range and high gain: washed-out grey tissue, bright cavities;
  heldout-walls      faint specular walls with strong drop-out, dense bright trabeculae along the border;
  heldout-base-hidden     no leaflets, faint annulus, LA exactly as dark (and hazy) as the LV;
  heldout-base-dropout    a wide lateral-wall drop-out that erases the wall;
  heldout-base-bright-la  an LA much brighter than the LV (dense spontaneous contrast);
  heldout-base-open-es    the mitral valve held open through systole (leaflet tips in the LV at ES);
  train-border-inside     ``train`` with every trabecula inside the tracing (the generator's old border, drawn
                          1-2 px outside where real tracings sit): a training set for benchmarks/transfer.py only;
  camus              another scanner for the CAMUS set: higher frequency (finer speckle), wider dynamic
                     range, weaker TGC, narrow sector, no overlays.
The held-out styles render no domain randomization: they test appearance the model was never shown.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

Range = tuple[float, float]


@dataclass(frozen=True)
class Style:
    """Per-clip appearance ranges (uniform) and probabilities."""

    name: str = "train"
    randomized_share: float = 0.3   # clips rendered by domain randomization alone
    blend_share: float = 0.3        # other clips with a domain-randomized rendering blended in
    blend: Range = (0.1, 0.4)       # weight of that blend
    half_angle_deg: Range = (36.0, 45.0)
    depth: Range = (0.93, 1.1)      # sector radius / frame height
    apex_y: Range = (-6.0, 1.0)     # sector apex row (anatomy px)
    fan_share: Range = (0.575, 0.685)
    axial_px: Range = (0.3, 0.55)   # pulse envelope sigma (axial resolution)
    lateral_px: Range = (0.55, 1.0)  # beam sigma at the focus
    focus: Range = (0.35, 0.7)      # focal depth / sector radius
    divergence: Range = (0.5, 1.2)  # beam widening away from the focus
    sidelobe_db: Range = (-36.0, -24.0)
    specular_db: Range = (4.0, 19.0)  # interface echoes above myocardial speckle
    specular_power: Range = (1.5, 5.0)  # echo ~ |cos(beam, normal)| ** power: drop-out along the beam
    blood_db: Range = (-26.0, -14.0)
    cavity_haze_db: Range = (-20.0, -9.0)  # smoke-like blood echoes, in blotches (drawn per clip below)
    cavity_haze_share: float = 0.5
    septum_db: Range = (1.0, 7.0)
    trabeculae_db: Range = (-8.0, 2.0)
    trabeculae: Range = (0.15, 0.75)  # share of the trabecular zone that is tissue
    # Where the tracing sits in the trabecular zone: its tips (0.3 of the zone's depth inside the tracing, the
    # rest the wall's non-compacted layer outside it) match the grey profile across real traced borders
    # (lvseg.synth.stats.REAL_STRUCTURE); 1.0 puts every trabecula inside, as this generator once did.
    traced_share: Range = (0.3, 0.3)
    extracardiac_db: Range = (-6.0, 2.0)
    heterogeneity: Range = (0.4, 0.9)  # log-amplitude std of the tissue texture
    valve_db: Range = (-8.0, 4.0)
    haze: Range = (0.03, 0.5)       # near-field clutter amplitude (relative to myocardium)
    haze_depth: Range = (0.08, 0.25)  # its e-folding depth / sector radius
    attenuation_db: Range = (0.15, 0.35)  # round-trip, per anatomy px
    tgc_compensation: Range = (0.85, 1.05)
    tgc_ripple_db: Range = (0.0, 4.0)
    noise_db: Range = (-30.0, -12.0)  # thermal noise re tissue at the deepest sample (after TGC)
    floor: Range = (4.5, 8.0)       # display noise floor (grey levels, std)
    dynamic_range_db: Range = (34.0, 52.0)
    tissue_grey: Range = (42.0, 74.0)  # mean grey of myocardial speckle on the display
    grey_gamma: Range = (0.8, 1.25)
    jpeg_quality: Range = (65.0, 95.0)
    overlays: float = 0.6          # probability of each overlay kind (ECG, depth dots, text)
    lung: float = 0.35              # probability of a lung (air) shadow at the sector edge
    rib: float = 0.2                # probability of a rib shadow
    papillary: float = 0.8          # probability of each papillary muscle
    dr_blur: Range = (0.0, 1.5)
    dr_noise: Range = (0.0, 0.12)
    dr_bias: Range = (0.0, 0.7)
    dr_gamma: Range = (-0.6, 0.6)   # log of the gamma exponent
    decorrelation: Range = (0.05, 0.15)  # tissue speckle change per frame (blood: 2.5x)
    # The base of the LV. On real echoes the mitral leaflets are thin and often faint or invisible, the LA is as
    # dark as the LV right below it, and only the annulus hinges mark where experts close the LV; so leaflet
    # visibility runs from clear to absent, and a share of clips have none at all.
    valve_visibility: Range = (0.0, 1.0)  # leaflet echo and impedance, times the valve level (0 = invisible)
    valve_hidden: float = 0.35      # probability of leaflets at most 0.1 visible
    annulus_db: Range = (-4.0, 10.0)  # the annulus hinges: small bright fibrous rings
    la_db: Range = (-3.0, 5.0)      # LA blood re LV blood (spontaneous contrast in the atrium)
    systolic_opening: Range = (0.0, 0.0)  # valve opening kept in systole (a held-out anomaly only)
    dropout: float = 0.5            # probability of a lateral-wall drop-out patch
    dropout_strength: Range = (0.3, 0.85)  # share of the echo lost in it
    dropout_width_deg: Range = (4.0, 12.0)


def _heldout(name: str, **ranges) -> Style:
    return dataclasses.replace(Style(), name=name, randomized_share=0.0, blend_share=0.0, **ranges)


STYLES: dict[str, Style] = {
    "train": Style(),
    "bmode": _heldout("bmode"),
    "heldout-haze": _heldout("heldout-haze", haze=(0.8, 1.3), haze_depth=(0.3, 0.45), cavity_haze_share=1.0,
                             cavity_haze_db=(-7.0, -3.0)),
    "heldout-psf": _heldout("heldout-psf", axial_px=(0.9, 1.2), lateral_px=(1.8, 2.4), sidelobe_db=(-22.0, -18.0)),
    "heldout-contrast": _heldout("heldout-contrast", dynamic_range_db=(22.0, 28.0), tissue_grey=(95.0, 120.0),
                                 blood_db=(-12.0, -8.0)),
    "heldout-walls": _heldout("heldout-walls", specular_db=(-6.0, 0.0), specular_power=(6.0, 9.0),
                              trabeculae=(0.85, 1.0), trabeculae_db=(3.0, 6.0), papillary=1.0),
    "heldout-base-hidden": _heldout("heldout-base-hidden", valve_visibility=(0.0, 0.0), valve_hidden=1.0,
                                    annulus_db=(-14.0, -8.0), la_db=(-1.0, 1.0), cavity_haze_share=1.0),
    "heldout-base-dropout": _heldout("heldout-base-dropout", dropout=1.0, dropout_strength=(0.95, 1.0),
                                     dropout_width_deg=(16.0, 24.0)),
    "heldout-base-bright-la": _heldout("heldout-base-bright-la", la_db=(10.0, 16.0), valve_hidden=0.6),
    "heldout-base-open-es": _heldout("heldout-base-open-es", systolic_opening=(0.5, 0.8), valve_hidden=0.0),
    "train-border-inside": dataclasses.replace(Style(), name="train-border-inside", traced_share=(1.0, 1.0)),
    "camus": _heldout("camus", half_angle_deg=(30.0, 36.0), fan_share=(0.5, 0.8), axial_px=(0.18, 0.26),
                      lateral_px=(0.35, 0.5),
                      dynamic_range_db=(58.0, 66.0), tissue_grey=(70.0, 95.0), tgc_compensation=(0.6, 0.75),
                      attenuation_db=(0.3, 0.45), overlays=0.0, grey_gamma=(1.3, 1.6), specular_db=(2.0, 8.0)),
}


def get_style(style: str | Style) -> Style:
    """A preset by name (or a Style as is)."""
    if isinstance(style, Style):
        return style
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; presets: {', '.join(STYLES)}")
    return STYLES[style]


@dataclass(frozen=True)
class Look:
    """One clip's concrete appearance, drawn from a Style (lengths in output pixels)."""

    mode_weight: float      # 0 = pure B-mode, 1 = pure domain randomization
    fan_apex: tuple[float, float]
    half_angle: float       # radians
    radius: float
    axial: float
    lateral: float
    focus: float
    divergence: float
    sidelobe: float         # linear amplitude of the lateral pedestal
    specular: float         # linear
    specular_power: float
    levels_db: dict         # class name -> scattering level (dB re myocardium)
    cavity_haze: float      # linear amplitude of blood blotches (0 = none)
    trabeculae: float
    heterogeneity: float
    haze: float
    haze_depth: float
    attenuation_db: float
    tgc_compensation: float
    tgc_knots_db: tuple[float, ...]
    noise: float            # linear
    floor: float            # display noise floor, grey levels
    dynamic_range_db: float
    tissue_grey: float
    grey_gamma: float
    jpeg_quality: int
    overlays: tuple[bool, bool, bool]  # ECG, depth dots, text
    lung: bool
    rib: bool
    papillary: tuple[bool, bool]
    dr_blur: float
    dr_noise: float
    dr_bias: float
    dr_gamma: float
    decorrelation: float
    valve_visibility: float = 1.0
    systolic_opening: float = 0.0
    traced_share: float = 0.3
    dropout: tuple[float, float, float, float, float] = (0.0, 0.0, 0.0, 0.0, 1.0)  # strength, angle and
    # half-width (radians), depth from and to (share of the radius)
    scale: float = 1.0


def _u(rng: np.random.Generator, bounds: Range) -> float:
    return float(rng.uniform(*bounds))


def _flags2(draws: np.ndarray) -> tuple[bool, bool]:
    return bool(draws[0]), bool(draws[1])


def _flags3(draws: np.ndarray) -> tuple[bool, bool, bool]:
    return bool(draws[0]), bool(draws[1]), bool(draws[2])


def fan_share(apex: tuple[float, float], half_angle: float, radius: float, shape: tuple[int, int]) -> float:
    """Share of the frame's pixel centres inside the sector."""
    y, x = np.mgrid[0:shape[0], 0:shape[1]].astype(np.float64)
    dx, dy = x - apex[0], y - apex[1]
    inside = (np.abs(np.arctan2(dx, dy)) <= half_angle) & (np.hypot(dx, dy) <= radius) & (dy > 0)
    return float(inside.mean())


def draw_apex(rng: np.random.Generator, style: Style, shape: tuple[int, int] = (112, 112),
              scale: float = 1.0) -> tuple[float, float]:
    """The sector apex (the probe's footprint): top centre, a little above the frame."""
    return (shape[1] / 2 - 0.5 + rng.uniform(-1.0, 1.0) * scale, _u(rng, style.apex_y) * scale)


def draw_look(rng: np.random.Generator, style: Style, shape: tuple[int, int] = (112, 112), scale: float = 1.0,
              apex: tuple[float, float] | None = None, training: bool = True) -> Look:
    """A random Look from ``style`` whose sector covers a share of the frame inside ``style.fan_share``.

    ``apex`` fixes the sector apex (EchoNet clips draw it with their geometry, so that every style sees
    the same hearts and probe motion); otherwise it is drawn here. Domain randomization is a training
    device: with ``training`` False (VAL and TEST clips) the clip is B-mode only, every other draw unchanged.
    """
    h, w = shape
    fixed = apex
    for _ in range(400):
        apex = fixed if fixed is not None else draw_apex(rng, style, shape, scale)
        half_angle, radius = np.radians(_u(rng, style.half_angle_deg)), h * _u(rng, style.depth)
        if style.fan_share[0] <= fan_share(apex, half_angle, radius, shape) <= style.fan_share[1]:
            break
    else:
        raise RuntimeError("no sector geometry inside the requested share")
    randomized = rng.uniform() < style.randomized_share
    blended = rng.uniform() < style.blend_share
    weight = rng.uniform(0.75, 1.0) if randomized else (_u(rng, style.blend) if blended else 0.0)
    weight = weight if training else 0.0
    blood = _u(rng, style.blood_db)
    levels = {"blood": blood, "septum": _u(rng, style.septum_db),
              "trabeculae": _u(rng, style.trabeculae_db), "extracardiac": _u(rng, style.extracardiac_db),
              "rv_wall": rng.uniform(-4.0, 2.0), "atrial_wall": rng.uniform(-6.0, 0.0),
              "valve": _u(rng, style.valve_db), "pericardium": rng.uniform(5.0, 12.0)}
    haze_blood = rng.uniform() < style.cavity_haze_share
    cavity_haze = 10.0 ** (_u(rng, style.cavity_haze_db) / 20.0) if haze_blood else 0.0
    return Look(
        mode_weight=float(weight), fan_apex=(float(apex[0]), float(apex[1])), half_angle=float(half_angle),
        radius=float(radius), axial=_u(rng, style.axial_px) * scale, lateral=_u(rng, style.lateral_px) * scale,
        focus=_u(rng, style.focus), divergence=_u(rng, style.divergence),
        sidelobe=10.0 ** (_u(rng, style.sidelobe_db) / 20.0), specular=10.0 ** (_u(rng, style.specular_db) / 20.0),
        specular_power=_u(rng, style.specular_power), levels_db=levels, cavity_haze=cavity_haze,
        trabeculae=_u(rng, style.trabeculae), heterogeneity=_u(rng, style.heterogeneity), haze=_u(rng, style.haze),
        haze_depth=_u(rng, style.haze_depth), attenuation_db=_u(rng, style.attenuation_db) / scale,
        tgc_compensation=_u(rng, style.tgc_compensation),
        tgc_knots_db=tuple(float(v) for v in rng.uniform(-1.0, 1.0, 6) * _u(rng, style.tgc_ripple_db)),
        noise=10.0 ** (_u(rng, style.noise_db) / 20.0), floor=_u(rng, style.floor),
        dynamic_range_db=_u(rng, style.dynamic_range_db),
        tissue_grey=_u(rng, style.tissue_grey), grey_gamma=_u(rng, style.grey_gamma),
        jpeg_quality=int(round(_u(rng, style.jpeg_quality))),
        overlays=_flags3(rng.uniform(size=3) < style.overlays), lung=bool(rng.uniform() < style.lung),
        rib=bool(rng.uniform() < style.rib), papillary=_flags2(rng.uniform(size=2) < style.papillary),
        dr_blur=_u(rng, style.dr_blur) * scale, dr_noise=_u(rng, style.dr_noise), dr_bias=_u(rng, style.dr_bias),
        dr_gamma=float(np.exp(_u(rng, style.dr_gamma))), decorrelation=_u(rng, style.decorrelation),
        scale=scale, **_base_look(rng, style, levels, blood))


def _base_look(rng: np.random.Generator, style: Style, levels: dict, blood: float) -> dict:
    """The LV border draws (leaflets, annulus, LA, lateral drop-out, where the tracing sits in the trabeculae);
    ``levels`` gains annulus and LA."""
    hidden = rng.uniform() < style.valve_hidden
    visibility = rng.uniform(0.0, 0.1) if hidden else _u(rng, style.valve_visibility)
    levels["annulus"], levels["la_blood"] = _u(rng, style.annulus_db), blood + _u(rng, style.la_db)
    dropout = (0.0, 0.0, 0.0, 0.0, 1.0)
    if rng.uniform() < style.dropout:
        start = rng.uniform(0.25, 0.45)
        dropout = (_u(rng, style.dropout_strength), rng.uniform(0.12, 0.42),
                   np.radians(_u(rng, style.dropout_width_deg)) / 2, start, start + rng.uniform(0.2, 0.45))
    return {"valve_visibility": float(min(visibility, style.valve_visibility[1])),
            "systolic_opening": _u(rng, style.systolic_opening), "dropout": tuple(float(v) for v in dropout),
            "traced_share": _u(rng, style.traced_share)}
