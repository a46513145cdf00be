"""Synthetic EchoNet generation speed: videos/s and frames/s (wall clock and this process's CPU time).

Usage: python benchmarks/synth.py [--videos 200] [--max-frames N] [--workers 1] [--style train] [--out DIR]
Frame counts follow the real distribution (median 171) unless --max-frames bounds them. CPU time
counts only the main process, so with --workers > 1 read the wall-clock rate.
Floor, measured in the same run under the same parallelism (--workers processes, one OpenCV thread each,
as the generator's pool): writing the same frames as MJPG AVIs without rendering them (the part of the
cost every generator pays; each process loads its video's raw frames from a .npy staged beforehand).
The demo's dataset is 160 videos of <= 64 frames, 17 fault videos of 40 frames and 20 CAMUS patients:
``--videos 160 --max-frames 64 --workers 2`` times the first.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from lvseg.datasets.video import load_video
from lvseg.synth import generate_echonet
from lvseg.synth.clips import write_avi


def _write_one(raw: str) -> int:
    """Write one staged video (.npy of grey frames) as MJPG next to it; returns its frame count."""
    frames = np.load(raw)
    write_avi(raw[:-4] + ".avi", frames, 50)
    return len(frames)


def _one_opencv_thread() -> None:
    import cv2

    cv2.setNumThreads(1)  # as the generator's worker processes: the pool already uses every core


def write_floor(root: str, scratch: str, workers: int) -> float:
    """Wall seconds to re-write every video of ``root`` as MJPG in ``workers`` processes (decoding not timed)."""
    names = sorted(os.listdir(os.path.join(root, "Videos")))
    staged = []
    for i, name in enumerate(names):
        staged.append(os.path.join(scratch, f"{i}.npy"))
        np.save(staged[-1], load_video(os.path.join(root, "Videos", name))[0])
    if workers == 1:
        start = time.perf_counter()
        list(map(_write_one, staged))
        return time.perf_counter() - start
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_one_opencv_thread) as pool:
        list(pool.map(_write_one, staged[:workers]))  # start the processes: start-up is not writing
        start = time.perf_counter()
        list(pool.map(_write_one, staged))
        return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=200)
    parser.add_argument("--max-frames", type=int, default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--style", default="train")
    parser.add_argument("--out", default=None, help="keep the dataset here (default: a temporary folder)")
    args = parser.parse_args(argv)
    out = args.out or tempfile.mkdtemp(prefix="lvseg-synth-bench-")
    scratch = tempfile.mkdtemp(prefix="lvseg-synth-floor-")
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        summary = generate_echonet(out, args.videos, args.seed, max_frames=args.max_frames, workers=args.workers,
                                   style=args.style)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        size = sum(os.path.getsize(os.path.join(out, "Videos", f)) for f in os.listdir(os.path.join(out, "Videos")))
        floor = write_floor(out, scratch, args.workers)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    videos, frames = summary["videos"], summary["frames"]
    print(f"videos={videos} frames={frames} workers={args.workers} style={args.style} avi_bytes={size / 1e6:.1f}MB")
    print(f"wall  {wall:7.2f} s  {videos / wall:7.2f} videos/s  {frames / wall:8.1f} frames/s")
    if args.workers == 1:
        print(f"cpu   {cpu:7.2f} s  {videos / cpu:7.2f} videos/s  {frames / cpu:8.1f} frames/s")
    print(f"floor {floor:7.2f} s  {frames / floor:8.1f} frames/s  (MJPG writing alone, {args.workers} "
          f"process{'es' if args.workers > 1 else ''})")
    print(f"generation runs at {floor / wall:.1%} of the floor's rate under the same parallelism")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
