"""Synthetic EchoNet generation speed: videos/s and frames/s (wall clock and this process's CPU time).

Usage: python benchmarks/synth.py [--videos 200] [--max-frames N] [--workers 1] [--out DIR]
Frame counts follow the real distribution (median 171) unless --max-frames bounds them. CPU time
counts only the main process, so with --workers > 1 read the wall-clock rate.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time

from lvseg.synth import generate_echonet


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=200)
    parser.add_argument("--max-frames", type=int, default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="keep the dataset here (default: a temporary folder)")
    args = parser.parse_args(argv)
    out = args.out or tempfile.mkdtemp(prefix="lvseg-synth-bench-")
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        summary = generate_echonet(out, args.videos, args.seed, max_frames=args.max_frames, workers=args.workers)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        size = sum(os.path.getsize(os.path.join(out, "Videos", f)) for f in os.listdir(os.path.join(out, "Videos")))
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    videos, frames = summary["videos"], summary["frames"]
    print(f"videos={videos} frames={frames} workers={args.workers} avi_bytes={size / 1e6:.1f}MB")
    print(f"wall  {wall:7.2f} s  {videos / wall:7.2f} videos/s  {frames / wall:8.1f} frames/s")
    if args.workers == 1:
        print(f"cpu   {cpu:7.2f} s  {videos / cpu:7.2f} videos/s  {frames / cpu:8.1f} frames/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
