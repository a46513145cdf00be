"""Per-video random draws that follow the real EchoNet-Dynamic distributions, and deterministic ids.

Distributions are piecewise-linear inverse CDFs through the published quantiles of the full
FileList.csv (see the project reference):
  EF              p5/p25/p50/p75/p95 = 27.9/51.6/59.2/64.0/69.1 (9.5 % below 35); the tail above p95 is
                  capped at 73 % (beyond it the ED/ES area ratio would leave the real 1.3-1.9) and the
                  lowest values at 10 %;
  FPS             p5/p50/p95 = 47/50/61 (range 18-138), rounded to integers;
  NumberOfFrames  p5/p50/p95 = 108/171/253 (range 28-1002; one clip in 200 is over 330 frames and one in
                  1,000 over 520), then bounded by min_frames / max_frames;
  heart rate and rhythm  lvseg.synth.physiology (a preset may override EF and clip length).
Every video draws from its own ``numpy.random.Generator`` seeded by (seed, index, stream), so a video
does not depend on how many others are generated, and fault videos never shift the clean ones.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

import numpy as np

from lvseg.synth.physiology import (BeatShape, Physiology, curve, draw_heart_rate, draw_rr, get_physiology,
                                    shape_beats)

EF_QUANTILES = ([0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0], [10.0, 27.9, 51.6, 59.2, 64.0, 69.1, 73.0])
FPS_QUANTILES = ([0.0, 0.02, 0.05, 0.5, 0.95, 0.99, 1.0], [18.0, 30.0, 47.0, 50.0, 61.0, 80.0, 138.0])
FRAMES_QUANTILES = ([0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.995, 0.999, 1.0],
                    [28.0, 60.0, 108.0, 146.0, 171.0, 200.0, 253.0, 330.0, 520.0, 1002.0])
SPLIT_SHARES = {"VAL": 0.13, "TEST": 0.13}  # the rest is TRAIN (real: 7465 / 1288 / 1277)


def video_rng(seed: int, index: int, stream: str = "clean") -> np.random.Generator:
    """The generator of one video: independent of every other video and of the fault stream."""
    words = [int(b) for b in hashlib.sha256(f"{stream}".encode()).digest()[:4]]
    return np.random.default_rng([seed & 0xFFFFFFFF, index, *words])


def video_id(seed: int, index: int, stream: str = "clean") -> str:
    """'0X' + 16 upper-case hex digits, a pure function of (seed, index, stream)."""
    return "0X" + hashlib.sha256(f"lvseg-synth:{stream}:{seed}:{index}".encode()).hexdigest()[:16].upper()


def _quantile_draw(rng: np.random.Generator, quantiles: tuple[list[float], list[float]]) -> float:
    return float(np.interp(rng.uniform(), *quantiles))


def draw_ef(rng: np.random.Generator, physiology: str | Physiology = "train") -> float:
    """Target ejection fraction in % (the written EF is recomputed from the tracings and matches it closely)."""
    ef_range = get_physiology(physiology).ef
    return float(rng.uniform(*ef_range)) if ef_range else _quantile_draw(rng, EF_QUANTILES)


def draw_fps(rng: np.random.Generator) -> int:
    """Integer frame rate (an integer rate is stored and read back exactly by the AVI header)."""
    return int(round(_quantile_draw(rng, FPS_QUANTILES)))


def draw_frames(rng: np.random.Generator, min_frames: int | None, max_frames: int | None,
                physiology: str | Physiology = "train") -> int:
    """NumberOfFrames, bounded by min_frames / max_frames; never below 16 (one systole must fit)."""
    frames_range = get_physiology(physiology).frames
    n = int(round(rng.uniform(*frames_range) if frames_range else _quantile_draw(rng, FRAMES_QUANTILES)))
    lo = max(min_frames or 1, 16)
    return int(np.clip(n, lo, max(lo, max_frames or n)))


def assign_splits(n: int, seed: int) -> list[str]:
    """TRAIN/VAL/TEST labels for n videos in ~74/13/13 proportions; VAL and TEST non-empty once n >= 3."""
    counts = {k: int(round(share * n)) for k, share in SPLIT_SHARES.items()}
    if n >= 3:
        counts = {k: max(1, v) for k, v in counts.items()}
    labels = ["VAL"] * counts["VAL"] + ["TEST"] * counts["TEST"]
    labels = (["TRAIN"] * (n - len(labels)) + labels)[:n]
    order = np.random.default_rng([seed & 0xFFFFFFFF, 0x5EED]).permutation(n)
    return [labels[i] for i in order]


@dataclass(frozen=True)
class TrueBeat:
    """One beat whose ED and ES both fall inside the clip (frame indices), and whether it was ectopic."""

    ed_frame: int
    es_frame: int
    ectopic: bool


@dataclass(frozen=True)
class Timing:
    """When things happen in one clip: LV state and mitral opening per frame, its beats, the traced frames."""

    fps: int
    frames: int
    period: float          # mean frames per beat
    states: np.ndarray     # LV state c per frame (1 = the heart's ED shape, 0 = its ES shape)
    valve: np.ndarray      # mitral opening per frame, 0 closed .. 1 wide open
    ed_frame: int
    es_frame: int
    beats: tuple[TrueBeat, ...] = ()
    r_waves: tuple[float, ...] = ()  # every ED (R wave) in frames, fractional, before and after the clip too
    rhythm: str = "sinus"


_DURATIONS = ("start", "rr", "ivc", "ejection", "ivr", "rapid", "kick_time")


def _window(t: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.nonzero((t >= lo) & (t <= hi))[0]


# A beat at the clip's edge still counts as whole when the clip shows its ED (ES) volume to within this share
# of the beat's stroke: a clip that starts one frame into ejection shows the ED volume less about 1 % of the
# stroke, well inside any segmentation's jitter. tests/analysis/cardiac.py (the beat finder's tuning curves)
# counts whole beats by the same rule, so the finder is tuned and scored against one definition.
WHOLE_EDGE = 0.05


def _true_beats(beats: list[BeatShape], t: np.ndarray, states: np.ndarray, fps: float) -> tuple[TrueBeat, ...]:
    """Beats whose ED (the IVC plateau) and ES (the IVR plateau) both have a frame in the clip, or whose edge
    frame is within WHOLE_EDGE of the stroke of the ED (ES) level the clip cuts off."""
    half = 0.5 / fps
    out = []
    for beat in beats:
        ed = _window(t, beat.start - half, beat.start + beat.ivc)
        es = _window(t, beat.es_time - half, beat.es_time + beat.ivr)
        edge = WHOLE_EDGE * (beat.ed_level - beat.es_level)
        if not len(ed) and beat.start < t[0] < beat.es_time and states[0] >= beat.ed_level - edge:
            ed = np.array([0])  # the clip starts inside this systole, next to its ED volume
        if not len(es) and beat.start < t[-1] < beat.es_time and states[-1] <= beat.es_level + edge:
            es = np.array([len(t) - 1])  # it ends inside this systole, next to its ES volume
        if len(ed) and len(es) and ed[0] < es[-1]:
            out.append(TrueBeat(int(ed[np.argmax(states[ed])]), int(es[np.argmin(states[es])]), beat.ectopic))
    return tuple(out)


def _typical(beats: list[BeatShape], k: int, before: bool) -> bool:
    """A beat that may be traced: neither it nor (with ``before``) the beat whose ES is traced is ectopic or
    just after one."""
    ks = (k - 2, k - 1, k) if before else (k - 1, k)
    return not any(beats[j].ectopic for j in ks)


def draw_timing(rng: np.random.Generator, fps: int, frames: int, physiology: str | Physiology = "train") -> Timing:
    """A rhythm (lvseg.synth.physiology) with a traced beat whose ED and ES both fall inside the clip.

    The traced ED is a frame with state exactly 1 and the traced ES the frame of state 0 (the drawn heart's
    tracings), 30 % of the time the ES of the beat before that ED (as in EchoNet, where the experts' ES may
    precede their ED). A clip too short for one systole at the drawn heart rate gets a faster rate.
    """
    phys = get_physiology(physiology)
    mean_rr = 60.0 / draw_heart_rate(rng, phys)
    duration = frames / fps
    # beats enough on both sides of the traced one to cover the clip, even at the shortest RR or squeezed
    count = 2 * int(np.ceil(duration / (0.25 * mean_rr))) + 10
    rr, ectopic, rhythm = draw_rr(rng, phys, mean_rr, count, near=int(np.ceil(0.5 * duration / mean_rr)) + 1)
    beats = shape_beats(rng, phys, rr, ectopic, rhythm == "afib", 0.0)
    before = bool(rng.uniform() < 0.3)
    k = count // 2
    while not _typical(beats, k, before):
        k += 1
    systole = beats[k].ivc + beats[k].ejection + 0.5 * beats[k].ivr
    if systole * fps + 2 > frames - 2:  # a clip too short for this systole: a faster heart, every phase shorter
        factor = (frames - 4) / fps / systole
        beats = [dataclasses.replace(b, **{f: getattr(b, f) * factor for f in _DURATIONS}) for b in beats]
    traced = beats[k]
    span = int(np.ceil((traced.ivc + traced.ejection + 0.5 * traced.ivr) * fps)) + 1
    back = int(np.ceil((traced.start - beats[k - 1].es_time) * fps)) + 1
    before = before and back < frames - 1
    ed = int(rng.integers(back, frames)) if before else int(rng.integers(0, max(1, frames - span)))
    shift = ed / fps - traced.start
    beats = [dataclasses.replace(b, start=b.start + shift) for b in beats]
    # the traced ED exactly on its frame: the state there is exactly 1 (the drawn heart's ED shape)
    beats[k] = dataclasses.replace(beats[k], start=ed / fps, ed_level=1.0,
                                   es_level=beats[k].es_level if before else 0.0)
    if before:
        beats[k - 1] = dataclasses.replace(beats[k - 1], es_level=0.0)
    t = np.arange(frames) / float(fps)
    states, valve = curve(beats, t)
    es_beat = beats[k - 1] if before else beats[k]
    window = _window(t, es_beat.es_time - 0.5 / fps, es_beat.es_time + es_beat.ivr)
    es = int(window[np.argmin(states[window])])
    r_waves = tuple(float(b.start * fps) for b in beats)
    return Timing(fps, frames, float(np.mean([b.rr for b in beats]) * fps), states, valve, ed, es,
                  _true_beats(beats, t, states, fps), r_waves, rhythm)
