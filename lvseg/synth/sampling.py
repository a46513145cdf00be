"""Per-video random draws that follow the real EchoNet-Dynamic distributions, and deterministic ids.

Distributions are piecewise-linear inverse CDFs through the published quantiles of the full
FileList.csv (see the project reference):
  EF              p5/p25/p50/p75/p95 = 27.9/51.6/59.2/64.0/69.1 (9.5 % below 35); the tail above p95 is
                  capped at 73 % (beyond it the ED/ES area ratio would leave the real 1.3-1.9) and the
                  lowest values at 10 %;
  FPS             p5/p50/p95 = 47/50/61 (range 18-138), rounded to integers;
  NumberOfFrames  p5/p50/p95 = 108/171/253 (range 28-1002; the extreme tail is thinned to 420 so a
                  default dataset stays small), then bounded by min_frames / max_frames.
Every video draws from its own ``numpy.random.Generator`` seeded by (seed, index, stream), so a video
does not depend on how many others are generated, and fault videos never shift the clean ones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from lvseg.synth.anatomy import cycle

EF_QUANTILES = ([0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0], [10.0, 27.9, 51.6, 59.2, 64.0, 69.1, 73.0])
FPS_QUANTILES = ([0.0, 0.02, 0.05, 0.5, 0.95, 0.99, 1.0], [18.0, 30.0, 47.0, 50.0, 61.0, 80.0, 138.0])
FRAMES_QUANTILES = ([0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.995, 1.0],
                    [28.0, 60.0, 108.0, 146.0, 171.0, 200.0, 253.0, 330.0, 420.0])
SPLIT_SHARES = {"VAL": 0.13, "TEST": 0.13}  # the rest is TRAIN (real: 7465 / 1288 / 1277)
HEART_RATE_BPM = (52.0, 105.0)


def video_rng(seed: int, index: int, stream: str = "clean") -> np.random.Generator:
    """The generator of one video: independent of every other video and of the fault stream."""
    words = [int(b) for b in hashlib.sha256(f"{stream}".encode()).digest()[:4]]
    return np.random.default_rng([seed & 0xFFFFFFFF, index, *words])


def video_id(seed: int, index: int, stream: str = "clean") -> str:
    """'0X' + 16 upper-case hex digits, a pure function of (seed, index, stream)."""
    return "0X" + hashlib.sha256(f"lvseg-synth:{stream}:{seed}:{index}".encode()).hexdigest()[:16].upper()


def _quantile_draw(rng: np.random.Generator, quantiles: tuple[list[float], list[float]]) -> float:
    return float(np.interp(rng.uniform(), *quantiles))


def draw_ef(rng: np.random.Generator) -> float:
    """Target ejection fraction in % (the written EF is recomputed from the tracings and matches it closely)."""
    return _quantile_draw(rng, EF_QUANTILES)


def draw_fps(rng: np.random.Generator) -> int:
    """Integer frame rate (an integer rate is stored and read back exactly by the AVI header)."""
    return int(round(_quantile_draw(rng, FPS_QUANTILES)))


def draw_frames(rng: np.random.Generator, min_frames: int | None, max_frames: int | None) -> int:
    """NumberOfFrames, bounded by min_frames / max_frames; never below 16 (one systole must fit)."""
    n = int(round(_quantile_draw(rng, FRAMES_QUANTILES)))
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
class Timing:
    """When things happen in one clip: LV state per frame and the two traced frames."""

    fps: int
    frames: int
    period: float       # frames per heart beat
    states: np.ndarray  # LV state c per frame (1 = ED, 0 = ES)
    filling: np.ndarray  # True on diastolic frames (the LV fills, the mitral valve is open)
    ed_frame: int
    es_frame: int


def draw_timing(rng: np.random.Generator, fps: int, frames: int) -> Timing:
    """A steady rhythm with a traced beat fully inside the clip; ED and ES are its real max and min.

    A short clip at a high frame rate may not hold a whole systole at the drawn heart rate; the rate
    is then raised just enough for one to fit.
    """
    systole = rng.uniform(0.3, 0.4)
    period = fps * 60.0 / rng.uniform(*HEART_RATE_BPM)
    period = min(period, (frames - 3) / systole)
    span = int(np.ceil(systole * period)) + 1
    back = int(np.ceil((1.0 - systole) * period)) + 1
    before = rng.uniform() < 0.3 and back < frames - 1  # sometimes the traced ES precedes the traced ED
    if before:
        ed = int(rng.integers(back, frames))
    else:
        ed = int(rng.integers(0, max(1, frames - span)))
    phase = (np.arange(frames) - ed) / period
    states = cycle(phase, systole)
    if before:
        lo = max(0, int(np.floor(ed - period)) + 1)
        window = np.arange(lo, ed)
    else:
        window = np.arange(ed + 1, min(frames, int(np.ceil(ed + period))))
    es = int(window[np.argmin(states[window])])
    return Timing(fps, frames, period, states, np.mod(phase, 1.0) > systole, ed, es)
