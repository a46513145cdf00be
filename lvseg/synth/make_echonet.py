"""Assemble a synthetic EchoNet-Dynamic dataset: FileList.csv, VolumeTracings.csv, Videos/ (and faults).

Videos are made one by one by lvseg.synth.clips (optionally in worker processes); this module collects
their CSV rows in index order, appends the fault inputs (lvseg.synth.faults) and writes the CSVs.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from lvseg.datasets.filelist import FILELIST_COLUMNS
from lvseg.datasets.tracings import TRACING_COLUMNS
from lvseg.synth import sampling
from lvseg.synth.clips import MM_PER_PIXEL, Rows, make_video, write_csv
from lvseg.synth.faults import add_faults
from lvseg.synth.style import Style, get_style
from lvseg.synth.plan import plan_video
from lvseg.synth.physiology import Physiology, get_physiology
from lvseg.synth.truth import VideoTruth, beat_rows, truth_rows, write_truth


def _single_threaded() -> None:
    """Worker initializer: one OpenCV thread per process (the pool already uses every core)."""
    import cv2

    cv2.setNumThreads(1)


def _make(out: str, seed: int, index: int, split: str, min_frames: int | None, max_frames: int | None,
          style: str | Style, truth: bool, physiology: str | Physiology
          ) -> tuple[list[str], list[list[str]], int, list[list[str]], list[list[str]]]:
    plan = plan_video(seed, index, "clean", min_frames, max_frames, physiology)
    row, traced, count = make_video(out, plan, split, style=style)
    if not truth:
        return row, traced, count, [], []
    replay = VideoTruth(plan)  # the plan video_truth would replay
    return row, traced, count, truth_rows(replay), beat_rows(replay)


def generate_echonet(out: str, videos: int, seed: int = 0, faults: bool = False, max_frames: int | None = None,
                     min_frames: int | None = None, workers: int = 1, style: str | Style = "train",
                     truth: bool = False, physiology: str | Physiology = "train") -> dict:
    """Write a synthetic EchoNet-Dynamic dataset under ``out``; returns a small summary.

    ``faults=True`` appends one extra video (or CSV defect) per kind of bad input the reader rejects and
    writes ``faults.json`` ({video_id: RejectReason value}); the clean videos are byte-identical either way.
    ``min_frames`` / ``max_frames`` bound NumberOfFrames (tests use short clips). ``workers`` > 1 renders
    videos in that many processes; the bytes written do not depend on it. ``style`` names the appearance
    (lvseg.synth.style.STYLES; the geometry and tracings do not depend on it). ``truth`` also writes
    FrameVolumes.csv and Beats.csv (lvseg.synth.truth) for the clean videos. ``physiology`` names the rhythm,
    EF and clip-length ranges (lvseg.synth.physiology.PHYSIOLOGIES; 'train' is every default video's).
    """
    if videos < 0:
        raise ValueError("videos must be >= 0")
    get_style(style)  # fail early on an unknown name
    get_physiology(physiology)
    os.makedirs(os.path.join(out, "Videos"), exist_ok=True)
    rows = Rows([], [])
    total_frames = 0
    splits = sampling.assign_splits(videos, seed)
    jobs = [(out, seed, index, splits[index], min_frames, max_frames, style, truth, physiology)
            for index in range(videos)]
    if workers > 1 and videos > 1:
        context = multiprocessing.get_context("spawn")  # no fork: the caller may hold TensorFlow threads
        with ProcessPoolExecutor(min(workers, videos), mp_context=context, initializer=_single_threaded) as pool:
            results = list(pool.map(_make, *zip(*jobs)))
    else:
        results = [_make(*job) for job in jobs]
    frame_rows: list[list[str]] = []
    beats: list[list[str]] = []
    for row, traced, count, frames, video_beats in results:
        rows.filelist.append(row)
        rows.tracings.extend(traced)
        frame_rows.extend(frames)
        beats.extend(video_beats)
        total_frames += count
    expected: dict[str, str] = {}
    if faults:
        expected = add_faults(out, seed, rows, max_frames=max_frames)
        with open(os.path.join(out, "faults.json"), "w") as handle:
            json.dump(expected, handle, indent=2, sort_keys=True)
            handle.write("\n")
    write_csv(os.path.join(out, "FileList.csv"), FILELIST_COLUMNS, rows.filelist)
    write_csv(os.path.join(out, "VolumeTracings.csv"), TRACING_COLUMNS, rows.tracings)
    if truth:
        write_truth(out, frame_rows, beats)
    return {"out": out, "videos": videos, "frames": total_frames, "seed": seed,
            "splits": {s: splits.count(s) for s in ("TRAIN", "VAL", "TEST")},
            "faults": len(expected), "mm_per_pixel": MM_PER_PIXEL,
            "style": style if isinstance(style, str) else style.name, "truth": truth,
            "physiology": physiology if isinstance(physiology, str) else physiology.name}
