"""The landmark ceiling: Dice of masks rebuilt from ground-truth landmarks against the true masks.

It bounds what any landmark model can reach with a scheme, whatever the network. Reads only the
CSVs (no video is decoded). Usage: ``lvseg ceiling DATASET [--schemes seed6 contour12 contour16]``.
"""

from __future__ import annotations

import numpy as np

from lvseg import flags
from lvseg.datasets.echonet import plan_dataset
from lvseg.errors import UserError
from lvseg.geometry.landmarks import landmarks
from lvseg.geometry.mask import Tracing, tracing_mask
from lvseg.geometry.spline import mask_from_landmarks
from lvseg.metrics.dice import Overlap, overlap, pooled_dice

DEFAULT_SCHEMES = ("seed6", "contour12", "contour16")


def ceiling_overlaps(tracings: list[Tracing], scheme: str) -> list[Overlap]:
    """One Overlap per tracing: spline mask through its true landmarks vs its official mask."""
    return [overlap(mask_from_landmarks(landmarks(t, scheme)), tracing_mask(t)) for t in tracings]


def summarize(overlaps: list[Overlap]) -> dict:
    per_frame = np.array([o.dice for o in overlaps])
    return {"frames": len(overlaps), "pooled_dice": pooled_dice(overlaps), "mean_dice": float(per_frame.mean()),
            "min_dice": float(per_frame.min())}


def dataset_ceiling(root: str, schemes: tuple[str, ...] = DEFAULT_SCHEMES) -> dict[str, dict]:
    tracings = [t for task in plan_dataset(root).tasks for t in task.tracings.values()]
    if not tracings:
        raise UserError(f"no valid tracing found under {root}")
    return {scheme: summarize(ceiling_overlaps(tracings, scheme)) for scheme in schemes}


def main(argv: list[str] | None = None) -> int:
    parser = flags.ArgumentParser(prog="lvseg ceiling", description=__doc__.splitlines()[0])
    parser.add_argument("dataset", help="EchoNet-layout dataset root (local or gs://)")
    parser.add_argument("--schemes", nargs="+", default=list(DEFAULT_SCHEMES))
    args = parser.parse_args(argv)
    results = dataset_ceiling(args.dataset, tuple(args.schemes))
    print(f"{'scheme':<12}{'frames':>8}{'pooled':>9}{'mean':>9}{'min':>9}")
    for scheme, r in results.items():
        print(f"{scheme:<12}{r['frames']:>8}{r['pooled_dice']:>9.4f}{r['mean_dice']:>9.4f}{r['min_dice']:>9.4f}")
    return 0
