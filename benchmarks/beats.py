"""The beat finder on physiological volume curves with segmentation noise, beside the old hysteresis tracker.

  python benchmarks/beats.py                 # report seed (2): the figures to quote
  python benchmarks/beats.py --tuning        # tuning seed (1): the curves lvseg.analysis thresholds were tuned on
  python benchmarks/beats.py --videos 100 --kinds afib ectopic
  python benchmarks/beats.py --tuning --bad-runs 0.03   # curves with failed runs: does 'erratic' find them?

Curves come from the cardiac-cycle model of tests/analysis/cardiac.py (isovolumic phases, fast ejection,
rapid filling, diastasis with notches, atrial kick; sinus, AF-like and ectopic rhythms), one kind of
physiology at a time, with the noise a segmentation model adds (``NOISE``: per-frame jitter 2-5 % of the
volume, 1 % flicker frames of 10-25 %, 1 % failed frames, some in pairs). Both analysers get the same noisy
curves: lvseg.analysis.video.analyse_curve (the new cycle-based finder) and the hysteresis BeatTracker of
commit BASELINE (loaded from git into a temporary package). Per kind and analyser:
  beats exact  share of clips whose beat count equals the true count of whole beats (ED and ES inside);
  matched      share of clips where every found beat matches a true one and every true beat is found, edge
               beats left unmatched aside (lvseg.analysis.matching: how beat detectors are scored);
  ED err / ES err  median over true beats of |frame error| to the nearest found ED / ES (clips with beats);
  EF MAE       |video EF - median of the true beats' EFs|, over clips with an EF;
  no EF        share of clips without an EF;
  erratic      share of clips flagged 'erratic' (every curve is genuine physiology: a false flag).
With --bad-runs R each frame starts, with probability R, a run of 2-4 frames whose volume a failed
segmentation cut to 40-80 % (a mask, but a wrong one): the curve is no longer genuine, and the flag should
find the clips whose EF it spoiled; the table then adds EF MAE of the flagged and of the unflagged clips.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Callable, NamedTuple

import numpy as np

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)

from lvseg.analysis.beat_config import edge_frames  # noqa: E402
from lvseg.analysis.matching import match_beats  # noqa: E402
from lvseg.analysis.video import analyse_curve  # noqa: E402
from lvseg.synth.seeds import REPORT_SEED, TUNING_SEED  # noqa: E402
from tests.analysis.cardiac import Heart, Noise, cardiac_clip, noisy  # noqa: E402

BASELINE = "d3d9b91"  # the last commit with the hysteresis-only tracker


@dataclass(frozen=True)
class Kind:
    """Ranges (uniform per clip) of one physiology kind."""

    bpm: tuple[float, float] = (55.0, 100.0)
    ef: tuple[float, float] = (45.0, 70.0)
    frames: tuple[int, int] = (100, 250)
    notch: tuple[float, float] = (0.0, 0.05)
    rr_cv: tuple[float, float] = (0.01, 0.04)
    rhythm: str = "sinus"
    ectopic_at: tuple[float, float] = (0.3, 0.7)  # where the premature beat's ED falls, share of the clip


KINDS = {
    "normal": Kind(),
    "bradycardia": Kind(bpm=(40.0, 50.0), frames=(150, 260), notch=(0.02, 0.08)),
    "tachycardia": Kind(bpm=(120.0, 150.0)),
    "afib": Kind(bpm=(60.0, 120.0), rr_cv=(0.2, 0.3), rhythm="afib"),
    "ectopic": Kind(bpm=(55.0, 95.0), frames=(150, 260), rhythm="ectopic"),
    "low_ef": Kind(ef=(10.0, 35.0)),
    "long": Kind(bpm=(50.0, 110.0), frames=(300, 500)),
    # the premature beat near the clip's end, its compensatory pause cut short by it (last: the other kinds
    # keep their seeds)
    "ectopic_end": Kind(bpm=(55.0, 95.0), frames=(150, 260), rhythm="ectopic", ectopic_at=(0.75, 0.95)),
}
NOISE = Noise(jitter=0.0, flicker_rate=0.01, flicker=(0.1, 0.25), failed_rate=0.01)
JITTER = (0.02, 0.05)


class Found(NamedTuple):
    ed: list[int]
    es: list[int]
    ef: float | None
    flags: tuple[str, ...]


def fps_of(rng: np.random.Generator) -> float:
    """Most clips at EchoNet's 47-61 fps, a third anywhere in its 18-138 fps (log-uniform)."""
    return float(rng.uniform(47, 61) if rng.uniform() < 0.67 else np.exp(rng.uniform(np.log(18), np.log(138))))


def clips(kind: Kind, count: int, seed: int):
    """(clean clip, noisy volumes) pairs of one kind."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        heart = Heart(bpm=rng.uniform(*kind.bpm), ef=rng.uniform(*kind.ef), rhythm=kind.rhythm,
                      rr_cv=rng.uniform(*kind.rr_cv), notch=rng.uniform(*kind.notch), kick=rng.uniform(0.1, 0.25),
                      ectopic_at=rng.uniform(*kind.ectopic_at))
        clip = cardiac_clip(rng, heart, fps_of(rng), int(rng.integers(*kind.frames)))
        yield clip, noisy(rng, clip.volumes, replace(NOISE, jitter=rng.uniform(*JITTER)))


def spoil(volumes: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Runs of 2-4 frames cut to 40-80 % of their volume, one starting at each frame with probability ``rate``."""
    volumes = volumes.copy()
    for t in np.nonzero(rng.uniform(size=len(volumes)) < rate)[0]:
        volumes[t:t + rng.integers(2, 5)] *= rng.uniform(0.4, 0.8)
    return volumes


def new_analyser(volumes: np.ndarray, fps: float) -> Found:
    a = analyse_curve(volumes, fps)
    return Found([b.ed_frame for b in a.beats], [b.es_frame for b in a.beats], a.ef, a.flags)


def baseline_analyser(folder: str) -> Callable[[np.ndarray, float], Found]:
    """The hysteresis tracker (and its smoother) of commit BASELINE, imported from a temporary copy."""
    for name in ("smoothing", "beats"):
        text = subprocess.run(["git", "-C", HERE, "show", f"{BASELINE}:lvseg/analysis/{name}.py"], check=True,
                              capture_output=True, text=True).stdout
        text = text.replace("from lvseg.analysis.smoothing import", "from baseline_smoothing import")
        with open(os.path.join(folder, f"baseline_{name}.py"), "w") as handle:
            handle.write(text)
    sys.path.insert(0, folder)
    old = importlib.import_module("baseline_beats")

    def analyse(volumes: np.ndarray, fps: float) -> Found:
        tracker, beats = old.BeatTracker(fps), []
        for step in [*(tracker.push(v) for v in volumes), tracker.finish()]:
            beats.extend(step.beats)
        ef = old.median_ef(beats) if beats else tracker.extremes_ef
        return Found([b.ed_frame for b in beats], [b.es_frame for b in beats], ef, tracker.flags())

    return analyse


def score(pairs, analyse) -> dict[str, float]:
    m: dict[str, list] = defaultdict(list)
    for clip, volumes in pairs:
        found = analyse(volumes, clip.fps)
        m["exact"].append(len(found.ed) == len(clip.beats))
        m["matched"].append(match_beats([(b.ed_frame, b.es_frame) for b in clip.beats], list(zip(found.ed, found.es)),
                                        len(volumes), edge_frames(clip.fps)).exact)
        for b in clip.beats:
            if found.ed:
                m["ed"].append(min(abs(b.ed_frame - f) for f in found.ed))
                m["es"].append(min(abs(b.es_frame - f) for f in found.es))
        if clip.ef is not None and found.ef is not None:
            m["ef"].append(abs(found.ef - clip.ef))
            m["ef_flagged" if "erratic" in found.flags else "ef_unflagged"].append(abs(found.ef - clip.ef))
        m["no_ef"].append(found.ef is None)
        m["erratic"].append("erratic" in found.flags)
    med = lambda k: float(np.median(m[k])) if m[k] else float("nan")  # noqa: E731
    return {"exact": float(np.mean(m["exact"])), "matched": float(np.mean(m["matched"])),
            "ed": med("ed"), "es": med("es"),
            "ef": float(np.mean(m["ef"])) if m["ef"] else float("nan"), "no_ef": float(np.mean(m["no_ef"])),
            "erratic": float(np.mean(m["erratic"])),
            "ef_flagged": float(np.mean(m["ef_flagged"])) if m["ef_flagged"] else float("nan"),
            "ef_unflagged": float(np.mean(m["ef_unflagged"])) if m["ef_unflagged"] else float("nan")}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--videos", type=int, default=60, help="clips per kind")
    parser.add_argument("--tuning", action="store_true", help=f"the tuning seed ({TUNING_SEED}) instead of the "
                        f"report seed ({REPORT_SEED})")
    parser.add_argument("--seed", type=int, default=None, help="any other seed")
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(KINDS))
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--bad-runs", type=float, default=0.0, help="rate of failed runs spoiling the curves")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else TUNING_SEED if args.tuning else REPORT_SEED
    with tempfile.TemporaryDirectory() as folder:
        analysers = {"cycle": new_analyser}
        if not args.no_baseline:
            analysers[f"hysteresis@{BASELINE}"] = baseline_analyser(folder)
        print(f"seed {seed}, {args.videos} clips per kind; noise: jitter {JITTER[0]:.0%}-{JITTER[1]:.0%} of volume "
              f"per frame, {NOISE.flicker_rate:.0%} flicker frames of {NOISE.flicker[0]:.0%}-{NOISE.flicker[1]:.0%}, "
              f"{NOISE.failed_rate:.0%} failed frames")
        print(f"{'kind':<13}{'analyser':<20}{'beats exact':>12}{'matched':>8}{'ED err':>7}{'ES err':>7}{'EF MAE':>7}"
              f"{'no EF':>6}{'erratic':>8}{'s':>6}"
              + (f"{'MAE flagged':>12}{'unflagged':>10}" if args.bad_runs else ""))
        for name in args.kinds:
            pairs = list(clips(KINDS[name], args.videos, seed * 1000 + list(KINDS).index(name)))
            if args.bad_runs:
                rng = np.random.default_rng(seed)
                pairs = [(clip, spoil(volumes, args.bad_runs, rng)) for clip, volumes in pairs]
            for label, analyse in analysers.items():
                start = time.perf_counter()
                r = score(pairs, analyse)
                print(f"{name:<13}{label:<20}{r['exact']:>12.0%}{r['matched']:>8.0%}{r['ed']:>7.1f}{r['es']:>7.1f}"
                      f"{r['ef']:>7.2f}{r['no_ef']:>6.0%}{r['erratic']:>8.0%}{time.perf_counter() - start:>6.1f}"
                      + (f"{r['ef_flagged']:>12.2f}{r['ef_unflagged']:>10.2f}" if args.bad_runs else ""), flush=True)


if __name__ == "__main__":
    main()
