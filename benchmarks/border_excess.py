"""Where a mask model's border errors lie, by phase: wrong pixels by fifth of the true long axis, and beyond the base.

EF is made of the ES volume over the ED volume, and on held-out physiology the ES frame comes out 3-8 % too
large relative to ED (benchmarks/physiology.py, ``ES/ED``). This says where that excess is. Per phase, it
counts false-positive (predicted, not true) and false-negative pixels per 1,000 true LV pixels in five slabs
of the true long axis, from the middle of the true base line (0) to the true apex (1: the true mask's pixel
farthest from it), and beyond the base line (the atrial side, lvseg.geometry.base.beyond_base: a leak).
Excess spread over every fifth is a border drawn outside the wall; excess in the first fifth and beyond the
base, a base that does not close. Traced frames of a records split (VAL by default: diagnose there, not on
TEST), mirror-averaged as ``lvseg analyze`` segments them.
Usage: python benchmarks/border_excess.py --model MODEL_DIR --records RECORDS [--split VAL] [--no-mirror-average]
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lvseg.geometry.base import beyond_base, mask_centroid  # noqa: E402

FIFTHS = 5


def axial_position(truth: np.ndarray, base: np.ndarray) -> np.ndarray | None:
    """(H, W): each pixel's position along the true long axis, 0 at the base line's middle, 1 at the apex."""
    ys, xs = np.nonzero(truth)
    if len(ys) == 0:
        return None
    middle = np.asarray(base, np.float64).reshape(2, 2).mean(0)
    points = np.stack([xs, ys], 1).astype(np.float64)
    apex = points[np.argmax(((points - middle) ** 2).sum(1))]
    axis = apex - middle
    grid = np.stack(np.meshgrid(np.arange(truth.shape[1]), np.arange(truth.shape[0])), -1).astype(np.float64)
    return ((grid - middle) @ axis) / float(axis @ axis)


def border_errors(truth: np.ndarray, predicted: np.ndarray, base: np.ndarray | None) -> np.ndarray | None:
    """(2, FIFTHS + 1) pixel counts of one frame: false positives (row 0) and false negatives (row 1) in each fifth
    of the long axis on the LV side of the base line, then beyond the base line. None without a base line
    (version-1 records) or a true LV: such a frame has no axis to place errors on."""
    truth, predicted = np.asarray(truth) != 0, np.asarray(predicted) != 0
    if base is None or not np.all(np.isfinite(base)):
        return None
    position, inside = axial_position(truth, base), mask_centroid(truth)
    if position is None or inside is None:
        return None
    beyond = beyond_base(base, inside, truth.shape)
    fifth = np.clip((position * FIFTHS).astype(np.int64), 0, FIFTHS - 1)
    fifth[beyond] = FIFTHS
    counts = np.zeros((2, FIFTHS + 1))
    for row, wrong in enumerate((predicted & ~truth, truth & ~predicted)):
        counts[row] = np.bincount(fifth[wrong], minlength=FIFTHS + 1)
    return counts


def table(per_phase: dict[str, tuple[np.ndarray, float]]) -> str:
    """Per phase: FP and FN per 1,000 true pixels by fifth (base .. apex) and beyond the base, and net."""
    head = f"{'phase':<6}{'':4}" + "".join(f"{f'{k + 1}/5':>7}" for k in range(FIFTHS)) + f"{'beyond':>8}{'sum':>7}"
    lines = [head]
    for phase, (counts, true_pixels) in per_phase.items():
        per_mille = 1000.0 * counts / max(true_pixels, 1.0)
        for label, row in (("FP", per_mille[0]), ("FN", per_mille[1]), ("net", per_mille[0] - per_mille[1])):
            lines.append(f"{phase:<6}{label:<4}" + "".join(f"{v:>7.1f}" for v in row[:FIFTHS])
                         + f"{row[FIFTHS]:>8.1f}{row.sum():>7.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a mask MODEL_DIR or .tflite file")
    parser.add_argument("--records", required=True)
    parser.add_argument("--split", default="VAL")
    parser.add_argument("--no-mirror-average", dest="mirror", action="store_false")
    args = parser.parse_args(argv)
    from lvseg.inference.models import describe, load_runner
    from lvseg.inference.mirror import MirrorRunner
    from lvseg.records.shards import iter_frames

    info = describe(args.model)
    runner = MirrorRunner(load_runner(info)) if args.mirror else load_runner(info)
    frames = list(iter_frames(args.records, args.split))
    images = np.stack([f["image"] for f in frames])
    masks = [s.mask for s in runner.segment(images)]
    per_phase: dict[str, tuple[np.ndarray, float]] = {}
    skipped = 0
    for frame, mask in zip(frames, masks):
        errors = border_errors(frame["mask"], mask, frame.get("base"))
        if errors is None:
            skipped += 1
            continue
        counts, true_pixels = per_phase.get(frame["phase"], (np.zeros((2, FIFTHS + 1)), 0.0))
        per_phase[frame["phase"]] = (counts + errors, true_pixels + float(np.count_nonzero(frame["mask"])))
    print(f"{info.name} ({'mirror-averaged' if args.mirror else 'one inference'}), {args.split}: {len(frames)} "
          f"traced frames ({skipped} without a base line or a true LV, left out); wrong pixels per 1,000 true LV "
          f"pixels by fifth of the long axis (base 1/5 .. apex 5/5)")
    print(table(dict(sorted(per_phase.items()))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
