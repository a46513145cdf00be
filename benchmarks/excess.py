"""Where a model's mask errs, by the generator's own tissue class: the pixels it adds and the pixels it misses.

For every traced frame of one split of a synthetic EchoNet set, the model's mask (lvseg.inference output rule)
is compared with the official mask, and each wrong pixel is named by its class in the frame's label map
(lvseg.synth.truth). Printed per phase as a share of the true LV area, so "ES too large" becomes, e.g.,
"4.4 % of it is blood in the recesses of the non-compacted wall". The set must be one the generator wrote
with the given --seed and --max-frames (its label maps are rebuilt from them).
Usage: python benchmarks/excess.py --data DATASET --model MODEL_DIR [--seed 0] [--max-frames 64] [--split TEST]
       [--style train]
"""

from __future__ import annotations

import argparse
import collections
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Excess:
    """Wrong pixels per phase and class, and the true LV area per phase they are a share of."""

    def __init__(self) -> None:
        self.added: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.missed: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.area: collections.Counter = collections.Counter()

    def add(self, phase: str, predicted: np.ndarray, true: np.ndarray, labels: np.ndarray) -> None:
        """One frame: boolean masks and its label map (lvseg.synth.labels classes)."""
        from lvseg.synth import labels as L

        self.area[phase] += int(true.sum())
        for counter, wrong in ((self.added, predicted & ~true), (self.missed, true & ~predicted)):
            classes, counts = np.unique(labels[wrong], return_counts=True)
            for c, n in zip(classes, counts):
                counter[phase][L.CLASSES[c]] += int(n)

    def shares(self, phase: str, kind: str) -> dict[str, float]:
        """Class -> % of the true area at ``phase`` that the model ``kind`` ('added' or 'missed'), largest first."""
        counter = (self.added if kind == "added" else self.missed)[phase]
        return {k: 100.0 * v / max(self.area[phase], 1) for k, v in counter.most_common()}

    def table(self) -> str:
        lines = []
        for phase in ("ED", "ES"):
            for kind in ("added", "missed"):
                share = self.shares(phase, kind)
                cells = ", ".join(f"{k} {v:.2f}" for k, v in list(share.items())[:6])
                lines.append(f"{phase} {kind:<6} {sum(share.values()):5.2f} % of the true area: {cells}")
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from benchmarks.transfer import echonet_frames
    from lvseg.inference.models import describe, load_runner

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-frames", type=int, default=64)
    parser.add_argument("--split", default="TEST")
    parser.add_argument("--style", default="train", help="the style the set was generated with")
    args = parser.parse_args(argv)
    frames = echonet_frames(args.data, args.split, args.seed, args.style, args.max_frames)
    segs = load_runner(describe(args.model), 32).segment(frames.images)
    excess = Excess()
    for phase, seg, true, labels in zip(frames.phases, segs, frames.masks, frames.labels):
        excess.add(phase, seg.mask.astype(bool), true.astype(bool), labels)
    print(excess.table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
