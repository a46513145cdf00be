"""Is a model's size error a function of the LV's size? Median predicted/true area by true-area band.

A fixed outward (inward) offset of the border adds (removes) a share of the area proportional to perimeter
over area, so it shows as small ventricles (end-systole) too large and large ones less so, and that slope,
not the pooled Dice, is what biases EF. Reads the ``per_frame.csv`` that ``lvseg evaluate`` writes.
Usage: python benchmarks/size_bias.py REPORT_DIR/per_frame.csv [--dataset echonet-test] [--bands 1000 2000]
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict

import numpy as np


def band_ratios(rows: list[dict], dataset: str, bands: list[float]) -> dict[str, list[tuple[int, float]]]:
    """Per model: (frames, median area ratio) of each true-area band (below bands[0], ..., above bands[-1])."""
    ratios: dict[str, list[list[float]]] = defaultdict(lambda: [[] for _ in range(len(bands) + 1)])
    for row in rows:
        if row["dataset"] != dataset or row["ok"] != "True" or not row["area_ratio"]:
            continue
        band = int(np.searchsorted(bands, float(row["true_area"]), side="right"))
        ratios[row["model"]][band].append(float(row["area_ratio"]))
    return {model: [(len(v), float(np.median(v)) if v else float("nan")) for v in per_band]
            for model, per_band in ratios.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("per_frame")
    parser.add_argument("--dataset", default="echonet-test")
    parser.add_argument("--bands", type=float, nargs="+", default=[1000.0, 2000.0], help="true-area edges, px")
    args = parser.parse_args(argv)
    with open(args.per_frame, newline="") as handle:
        rows = list(csv.DictReader(handle))
    edges = [0.0, *args.bands, float("inf")]
    names = [f"{lo:.0f}-{hi:.0f} px" if np.isfinite(hi) else f">{lo:.0f} px" for lo, hi in zip(edges, edges[1:])]
    print(f"{'model':<16}" + "".join(f"{name:>22}" for name in names))
    for model, per_band in band_ratios(rows, args.dataset, args.bands).items():
        print(f"{model:<16}" + "".join(f"{f'x{r:.3f} ({n})':>22}" for n, r in per_band))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
