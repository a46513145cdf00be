"""A physiological LV volume curve with its true beats, for the beat-finder tests and benchmarks/beats.py.

Each beat runs from one end-diastole (ED) to the next through the phases of the Wiggers diagram, in LV
state c (1 = the ED volume, 0 = the ES volume of a typical beat):
  isovolumic contraction  c flat at the beat's ED level (0.02-0.06 s);
  ejection                fast then slower, lasting LVET = 0.413 - 0.0017 * HR s (Weissler);
  isovolumic relaxation   c flat at the beat's ES level (0.05-0.10 s);
  rapid filling           most of the refill (0.11-0.17 s);
  diastasis               a slow rise with small notches (sin * sin), long at slow rates, gone at fast ones;
  atrial kick             the last 10-25 % of the refill (0.08-0.14 s), absent in atrial fibrillation.
Rhythms: sinus with small RR variability, AF-like (RR varying by ``rr_cv``, no kick, the ED level following
the preceding RR) and ectopic (one premature weak beat near the middle, a compensatory pause, then a
potentiated beat). ``noisy`` adds what a segmentation model adds: per-frame jitter, flicker frames, failed
frames. This is a model of its own, simpler than lvseg.synth.physiology, so the beat finder is not tuned
to the video generator's curves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lvseg.synth.sampling import WHOLE_EDGE


@dataclass(frozen=True)
class Heart:
    """One clip's physiology: rate, rhythm, EF and the size of its diastasis notches."""

    bpm: float = 70.0
    ef: float = 60.0
    edv: float = 100.0
    rhythm: str = "sinus"  # sinus | afib | ectopic
    rr_cv: float = 0.02    # RR std / mean (AF-like: 0.15-0.3)
    notch: float = 0.03    # diastasis notch amplitude, share of the stroke
    kick: float = 0.18     # atrial kick, share of the refill
    level_sd: float = 0.02  # beat-to-beat std of the ED and ES levels (state units)
    ectopic_at: float = 0.5  # where in the clip (share of its length) the ectopic beat falls


@dataclass(frozen=True)
class TrueBeat:
    ed_frame: int
    es_frame: int
    edv: float
    esv: float
    ectopic: bool = False

    @property
    def ef(self) -> float:
        return (self.edv - self.esv) / self.edv * 100.0


@dataclass(frozen=True)
class Clip:
    """A clip's true volume per frame, its whole beats (ED and ES inside the clip) and its frame rate."""

    fps: float
    volumes: np.ndarray
    beats: list[TrueBeat] = field(default_factory=list)

    @property
    def ef(self) -> float | None:
        """The median EF of the clip's true whole beats (None without one)."""
        return float(np.median([b.ef for b in self.beats])) if self.beats else None


@dataclass(frozen=True)
class _Shape:
    start: float
    rr: float
    ivc: float
    ejection: float
    ivr: float
    rapid: float
    kick_time: float
    ed: float
    es: float
    notch_cycles: int
    ectopic: bool


def _ease(u: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 - np.cos(np.pi * np.clip(u, 0.0, 1.0)))


def _intervals(rng: np.random.Generator, heart: Heart, duration: float, t0: float) -> tuple[np.ndarray, int]:
    """RR intervals (s) from ``t0`` (<= 0) past ``duration``, and the ectopic beat's index (-1 if none), its ED
    at about ``heart.ectopic_at`` of the clip."""
    mean = 60.0 / heart.bpm
    count = int((duration - t0) / mean / 0.6) + 4
    if heart.rhythm == "afib":
        rr = mean * np.clip(np.exp(rng.normal(0.0, heart.rr_cv, count)), 0.6, 1.6)
    else:
        rr = mean * (1.0 + np.clip(rng.normal(0.0, heart.rr_cv, count), -0.1, 0.1))
    ectopic = -1
    if heart.rhythm == "ectopic":
        premature = rng.uniform(0.55, 0.7)
        starts = t0 + np.concatenate([[0.0], np.cumsum(rr)])
        ectopic = max(1, int(np.searchsorted(starts + premature * mean, heart.ectopic_at * duration)))
        rr[ectopic - 1], rr[ectopic] = mean * premature, mean * (2.0 - premature)
    return rr, ectopic


def _shapes(rng: np.random.Generator, heart: Heart, rr: np.ndarray, ectopic: int, t0: float) -> list[_Shape]:
    mean, out, t = 60.0 / heart.bpm, [], t0
    for k, interval in enumerate(rr):
        previous = rr[k - 1] if k else mean
        ivc, ivr, rapid = rng.uniform(0.02, 0.06), rng.uniform(0.05, 0.10), rng.uniform(0.11, 0.17)
        ejection = float(np.clip(0.413 - 0.0017 * 60.0 / previous, 0.15, 0.4)) * rng.uniform(0.93, 1.07)
        kick_time = 0.0 if heart.rhythm == "afib" else rng.uniform(0.08, 0.14)
        busy = ivc + ejection + ivr + rapid + kick_time
        if busy > interval:  # a short beat: filling shrinks first, then everything
            fill = max(interval - (ivc + ejection + ivr), 0.4 * (rapid + kick_time))
            rapid, kick_time = rapid * fill / (rapid + kick_time), kick_time * fill / (rapid + kick_time)
            squeeze = min(1.0, interval / (ivc + ejection + ivr + rapid + kick_time))
            ivc, ejection, ivr, rapid, kick_time = (v * squeeze for v in (ivc, ejection, ivr, rapid, kick_time))
        ed, es = 1.0 + rng.normal(0.0, heart.level_sd), rng.normal(0.0, heart.level_sd)
        if heart.rhythm == "afib":  # the ventricle fills less after a short RR, more after a long one
            ed += 0.15 * float(np.clip(previous / mean - 1.0, -0.4, 0.4))
        if k == ectopic:
            ed, es, ejection = rng.uniform(0.82, 0.92), rng.uniform(0.45, 0.65), ejection * 0.8
        elif k == ectopic + 1 and ectopic >= 0:  # post-extrasystolic potentiation
            ed, es = 1.0 + abs(rng.normal(0.02, heart.level_sd)), -abs(rng.normal(0.03, heart.level_sd))
        out.append(_Shape(t, float(interval), ivc, ejection, ivr, rapid, kick_time, ed, es,
                          int(rng.integers(1, 4)), k == ectopic))
        t += float(interval)
    return out


def _state(b: _Shape, next_ed: float, heart: Heart, s: np.ndarray) -> np.ndarray:
    """LV state at times ``s`` (s since the beat's ED) within one beat."""
    t1, t2 = b.ivc, b.ivc + b.ejection
    t3, t4, t5 = t2 + b.ivr, t2 + b.ivr + b.rapid, b.rr - b.kick_time
    refill = next_ed - b.es
    kick = heart.kick if b.kick_time else 0.0
    level1 = b.es + 0.75 * (1.0 - kick) * refill  # end of rapid filling
    level2 = next_ed - kick * refill               # start of the kick
    c = np.full(s.shape, b.ed)
    u = (s - t1) / b.ejection
    m = (s >= t1) & (s < t2)
    c[m] = b.ed - (b.ed - b.es) * _ease(u[m] ** 0.75)
    c[(s >= t2) & (s < t3)] = b.es
    m = (s >= t3) & (s < t4)
    c[m] = b.es + (level1 - b.es) * (1.0 - (1.0 - (s[m] - t3) / b.rapid) ** 2)
    m = (s >= t4) & (s < t5)
    ud = (s[m] - t4) / max(t5 - t4, 1e-9)
    c[m] = level1 + (level2 - level1) * ud + heart.notch * refill * np.sin(2 * np.pi * b.notch_cycles * ud) * np.sin(
        np.pi * ud)
    m = s >= max(t5, t4)
    c[m] = level2 + (next_ed - level2) * _ease((s[m] - t5) / max(b.kick_time, 1e-9))
    return c


def cardiac_clip(rng: np.random.Generator, heart: Heart, fps: float, frames: int) -> Clip:
    """A clean clip of ``frames`` frames at ``fps``, starting at a random point of a cycle."""
    duration = frames / fps
    t0 = -rng.uniform(0.0, 60.0 / heart.bpm)
    rr, ectopic = _intervals(rng, heart, duration, t0)
    shapes = _shapes(rng, heart, rr, ectopic, t0)
    t = np.arange(frames) / fps
    owner = np.searchsorted([b.start for b in shapes], t, side="right") - 1
    state = np.empty(frames)
    for k, b in enumerate(shapes):
        inside = owner == k
        if inside.any():
            state[inside] = _state(b, shapes[k + 1].ed, heart, t[inside] - b.start)
    esv0 = heart.edv * (1.0 - heart.ef / 100.0)
    volume = lambda c: esv0 + (heart.edv - esv0) * c  # noqa: E731
    beats = []
    for b in shapes:
        # the ED and ES volumes last a flat isovolumic phase: the frame is its middle
        ed, es = int(round((b.start + b.ivc / 2) * fps)), int(round((b.start + b.ivc + b.ejection + b.ivr / 2) * fps))
        # whole: the clip shows its ED and ES volumes (an edge frame within WHOLE_EDGE of the stroke of them),
        # the rule of the video generator's Beats.csv
        edge = WHOLE_EDGE * (b.ed - b.es)
        if (ed >= 0 or (es > 0 and state[0] >= b.ed - edge)) and \
                (es <= frames - 1 or (ed < frames - 1 and state[-1] <= b.es + edge)):
            ed, es = max(0, ed), min(frames - 1, es)
            beats.append(TrueBeat(ed, es, float(volume(b.ed)), float(volume(b.es)), b.ectopic))
    return Clip(float(fps), volume(state), beats)


@dataclass(frozen=True)
class Noise:
    """Segmentation noise: per-frame jitter (share of volume), flicker frames, failed frames."""

    jitter: float = 0.03
    flicker_rate: float = 0.01      # share of frames whose mask flickers
    flicker: tuple[float, float] = (0.1, 0.25)  # a flicker's size, share of volume, either sign
    failed_rate: float = 0.01       # share of frames that fail (NaN), alone or in pairs


def noisy(rng: np.random.Generator, volumes: np.ndarray, noise: Noise) -> np.ndarray:
    """The curve as a segmentation model measures it."""
    n = len(volumes)
    out = volumes * (1.0 + rng.normal(0.0, noise.jitter, n))
    flicker = rng.uniform(size=n) < noise.flicker_rate
    out[flicker] *= 1.0 + rng.choice([-1.0, 1.0], flicker.sum()) * rng.uniform(*noise.flicker, flicker.sum())
    failed = np.flatnonzero(rng.uniform(size=n) < noise.failed_rate)
    out[failed] = np.nan
    out[np.minimum(failed[rng.uniform(size=len(failed)) < 0.3] + 1, n - 1)] = np.nan
    return out
