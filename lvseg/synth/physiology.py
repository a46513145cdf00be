"""Heart rhythm and the LV volume curve of one clip: a cardiac-cycle model, beat by beat.

Each beat runs from one end-diastole (ED, the R wave) to the next, through the phases of the Wiggers
diagram, in LV state ``c`` (1 = the heart's end-diastolic shape, 0 = its end-systolic one, lvseg.synth.anatomy):
  isovolumic contraction  c stays at the beat's ED level (0.02-0.06 s);
  ejection                fast then slower (about two thirds of the stroke in the first half), lasting the
                          left-ventricular ejection time LVET = 0.413 - 0.0017 * HR s (Weissler's regression);
  isovolumic relaxation   c stays at the beat's ES level (0.05-0.10 s);
  rapid filling           most of the refill (the E wave), mitral valve wide open;
  diastasis               a slow rise with small notches, leaflets drifting half closed; long at slow rates,
                          gone at fast ones;
  atrial kick             the last 10-25 % of the refill just before the next ED (the A wave); absent in
                          atrial fibrillation.
Rhythms: sinus with beat-to-beat variability, atrial-fibrillation-like (irregularly irregular RR, the stroke
following the preceding RR, no kick), and ectopic beats (premature, weak, then a compensatory pause and a
stronger beat). Beat-to-beat ED and ES levels vary around 1 and 0, so the traced beat (set exactly to 1 and 0:
the drawn heart's tracings, which FileList EF is computed from) is a typical beat, not the largest one.

``Physiology`` presets name the ranges (``PHYSIOLOGIES``): ``train`` is the default mixture of every video;
the others are the held-out physiology sets (bradycardia, tachycardia, afib, ectopic, low-ef, hypokinesis,
long) that the analysis is scored on with ``lvseg synth echonet --physiology NAME --truth``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

Range = tuple[float, float]

# Heart rate (bpm) quantiles of the default mixture: most clips at 55-100 bpm, tails to 40 and 150.
HR_QUANTILES = ([0.0, 0.05, 0.5, 0.95, 1.0], [40.0, 52.0, 72.0, 110.0, 150.0])


@dataclass(frozen=True)
class Physiology:
    """Ranges (uniform per clip unless said) of one physiology preset."""

    name: str = "train"
    heart_rate: Range | None = None  # None: HR_QUANTILES
    afib: float = 0.08               # probability of an atrial-fibrillation-like rhythm
    ectopic: float = 0.08            # probability of ectopic beats (sinus otherwise)
    hrv: Range = (0.01, 0.05)        # sinus RR variation (std / mean)
    af_rr: Range = (0.15, 0.3)       # AF RR variation (std / mean)
    level_jitter: float = 0.03       # std of the beat-to-beat ED and ES levels (state units)
    notches: Range = (0.0, 0.05)     # diastasis notch amplitude, share of the stroke
    kick: Range = (0.1, 0.25)        # atrial kick, share of the refill
    hypokinesis: float = 0.15        # probability of a regionally hypokinetic LV
    hypo_strength: Range = (0.4, 0.9)  # share of the segment's wall motion lost
    ef: Range | None = None          # None: the EchoNet EF distribution (lvseg.synth.sampling)
    frames: Range | None = None      # None: the EchoNet NumberOfFrames distribution


def _preset(name: str, **values) -> Physiology:
    return dataclasses.replace(Physiology(), name=name, **values)


PHYSIOLOGIES: dict[str, Physiology] = {
    "train": Physiology(),
    "bradycardia": _preset("bradycardia", heart_rate=(40.0, 50.0), afib=0.0, ectopic=0.0, notches=(0.02, 0.06)),
    "tachycardia": _preset("tachycardia", heart_rate=(120.0, 150.0), afib=0.0, ectopic=0.0),
    "afib": _preset("afib", heart_rate=(60.0, 120.0), afib=1.0, ectopic=0.0),
    "ectopic": _preset("ectopic", heart_rate=(55.0, 95.0), afib=0.0, ectopic=1.0),
    "low-ef": _preset("low-ef", ef=(10.0, 35.0), afib=0.0, ectopic=0.0),
    "hypokinesis": _preset("hypokinesis", hypokinesis=1.0, hypo_strength=(0.6, 1.0), afib=0.0, ectopic=0.0),
    "long": _preset("long", frames=(300.0, 520.0)),
}


def get_physiology(physiology: str | Physiology) -> Physiology:
    """A preset by name (or a Physiology as is)."""
    if isinstance(physiology, Physiology):
        return physiology
    if physiology not in PHYSIOLOGIES:
        raise ValueError(f"unknown physiology {physiology!r}; presets: {', '.join(PHYSIOLOGIES)}")
    return PHYSIOLOGIES[physiology]


@dataclass(frozen=True)
class BeatShape:
    """One beat's timing (seconds from its ED) and levels (state c at its ED and ES)."""

    start: float        # ED time, s from the clip's first frame
    rr: float           # to the next ED, s
    ivc: float
    ejection: float
    ivr: float
    rapid: float        # rapid-filling duration
    kick_time: float    # atrial-kick duration (0 in AF)
    kick: float         # share of the refill in the kick
    rapid_share: float  # share of the refill reached by the end of rapid filling
    notch: float        # diastasis notch amplitude, share of the stroke
    notch_cycles: int
    ed_level: float
    es_level: float
    ectopic: bool = False

    @property
    def es_time(self) -> float:
        return self.start + self.ivc + self.ejection


def ejection_time(heart_rate: float) -> float:
    """LVET in seconds at a heart rate (Weissler 1968), kept within 0.15-0.40 s."""
    return float(np.clip(0.413 - 0.0017 * heart_rate, 0.15, 0.40))


def draw_heart_rate(rng: np.random.Generator, physiology: Physiology) -> float:
    if physiology.heart_rate is None:
        return float(np.interp(rng.uniform(), *HR_QUANTILES))
    return float(rng.uniform(*physiology.heart_rate))


def draw_rr(rng: np.random.Generator, physiology: Physiology, mean_rr: float, count: int, near: int = 4
            ) -> tuple[np.ndarray, np.ndarray, str]:
    """(RR intervals s, ectopic flags, rhythm name) of ``count`` beats; ectopic beats fall within ``near`` beats
    of the middle one (where the clip will be)."""
    roll = rng.uniform()
    ectopic = np.zeros(count, bool)
    if roll < physiology.afib:
        cv = rng.uniform(*physiology.af_rr)
        rr = mean_rr * np.clip(np.exp(rng.normal(0.0, cv, count) - cv * cv / 2), 0.5, 1.8)
        return rr, ectopic, "afib"
    rr = mean_rr * (1.0 + np.clip(rng.normal(0.0, rng.uniform(*physiology.hrv), count), -0.12, 0.12))
    if roll < physiology.afib + physiology.ectopic:
        middle = np.arange(max(1, count // 2 - near), min(count - 2, count // 2 + near + 1))
        for k in rng.choice(middle, size=min(2, len(middle)), replace=False):
            if ectopic[k - 1:k + 2].any():
                continue
            premature = rng.uniform(0.5, 0.7)
            rr[k - 1], rr[k] = mean_rr * premature, mean_rr * (2.0 - premature)  # compensatory pause
            ectopic[k] = True
        return rr, ectopic, "ectopic"
    return rr, ectopic, "sinus"


def shape_beats(rng: np.random.Generator, physiology: Physiology, rr: np.ndarray, ectopic: np.ndarray,
                afib: bool, start: float) -> list[BeatShape]:
    """Phase durations and levels of consecutive beats, the first ED at ``start`` seconds."""
    beats, t = [], start
    mean_rr = float(np.mean(rr))
    for k, interval in enumerate(rr):
        previous = rr[k - 1] if k else mean_rr
        ivc, ivr = rng.uniform(0.02, 0.06), rng.uniform(0.05, 0.10)
        ejection = ejection_time(60.0 / previous) * rng.uniform(0.92, 1.08)
        if ectopic[k]:
            ejection *= 0.8
        kick_time = 0.0 if afib else rng.uniform(0.08, 0.14)
        rapid = rng.uniform(0.11, 0.17)
        # short beats: diastasis goes first, then filling and kick shrink together, then systole
        spare = interval - (ivc + ejection + ivr + rapid + kick_time)
        if spare < 0:
            fill = max(interval - (ivc + ejection + ivr), 0.35 * (rapid + kick_time))
            rapid, kick_time = rapid * fill / (rapid + kick_time), kick_time * fill / (rapid + kick_time)
            squeeze = min(1.0, interval / (ivc + ejection + ivr + rapid + kick_time))
            ivc, ejection, ivr, rapid, kick_time = (v * squeeze for v in (ivc, ejection, ivr, rapid, kick_time))
        jitter = physiology.level_jitter
        ed, es = 1.0 + rng.normal(0.0, jitter), rng.normal(0.0, jitter)
        if afib:  # the ventricle fills less after a short RR (and more after a long one)
            ed += 0.15 * float(np.clip(previous / mean_rr - 1.0, -0.5, 0.5))
        if ectopic[k]:
            ed, es = rng.uniform(0.85, 0.93), rng.uniform(0.45, 0.7)
        elif k and ectopic[k - 1]:  # post-extrasystolic potentiation
            ed, es = 1.0 + abs(rng.normal(0.0, jitter)), -abs(rng.normal(0.02, jitter))
        kick = 0.0 if afib else rng.uniform(*physiology.kick)
        beats.append(BeatShape(t, float(interval), ivc, ejection, ivr, rapid, kick_time, kick,
                               min(rng.uniform(0.7, 0.85), 0.97 - kick), rng.uniform(*physiology.notches),
                               int(rng.integers(1, 4)), float(np.clip(ed, 0.9, 1.08)), float(np.clip(es, -0.08, 0.75)),
                               bool(ectopic[k])))
        t += float(interval)
    return beats


def _ease(u: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 - np.cos(np.pi * np.clip(u, 0.0, 1.0)))


def beat_curve(beat: BeatShape, next_ed: float, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(state c, mitral opening 0..1) at times ``t`` (s) within one beat."""
    s = t - beat.start
    c = np.full(s.shape, beat.ed_level)
    valve = np.zeros(s.shape)
    t1 = beat.ivc
    t2 = t1 + beat.ejection
    t3 = t2 + beat.ivr
    t4 = t3 + beat.rapid
    t6 = beat.rr
    t5 = t6 - beat.kick_time
    refill = next_ed - beat.es_level
    level1 = beat.es_level + beat.rapid_share * refill
    level2 = next_ed - beat.kick * refill
    u = np.clip((s - t1) / max(beat.ejection, 1e-6), 0.0, 1.0)
    ejecting = (s >= t1) & (s < t2)
    c[ejecting] = beat.ed_level - (beat.ed_level - beat.es_level) * _ease(u[ejecting] ** 0.75)
    c[(s >= t2) & (s < t3)] = beat.es_level
    rapid = (s >= t3) & (s < t4)
    ur = (s[rapid] - t3) / max(beat.rapid, 1e-6)
    c[rapid] = beat.es_level + (level1 - beat.es_level) * (1.0 - (1.0 - ur) ** 2)
    valve[rapid] = np.clip(ur / 0.3, 0.0, 1.0)
    slow = (s >= t4) & (s < t5)
    if slow.any():
        ud = (s[slow] - t4) / max(t5 - t4, 1e-6)
        notch = beat.notch * refill * np.sin(2 * np.pi * beat.notch_cycles * ud) * np.sin(np.pi * ud)
        c[slow] = level1 + (level2 - level1) * ud + notch
        valve[slow] = 1.0 - 0.5 * _ease(ud / 0.4) if beat.kick_time else 0.6
    kick = s >= t5
    uk = (s[kick] - t5) / max(beat.kick_time, 1e-6)
    c[kick] = level2 + (next_ed - level2) * _ease(uk)
    valve[kick] = np.where(uk < 0.7, 0.8, 0.8 * (1.0 - uk) / 0.3) if beat.kick_time else 0.6 * (1.0 - uk)
    return c, np.clip(valve, 0.0, 1.0)


def curve(beats: list[BeatShape], t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(state c, mitral opening) at times ``t`` (s) over consecutive beats (``t`` inside their span)."""
    c, valve = np.empty(t.shape), np.empty(t.shape)
    # each time belongs to the last beat started at or before it (no gap from rounding between beats)
    owner = np.searchsorted([b.start for b in beats], t, side="right") - 1
    if owner.min() < 0:
        raise ValueError("times before the first beat")
    for k, beat in enumerate(beats):
        inside = owner == k
        next_ed = beats[k + 1].ed_level if k + 1 < len(beats) else beat.ed_level
        c[inside], valve[inside] = beat_curve(beat, next_ed, t[inside])
    return c, valve
