"""Write a synthetic dataset in exactly the EchoNet-Dynamic layout (FileList.csv, VolumeTracings.csv, Videos/).

Each video: EF, frame rate and length drawn from the real distributions (lvseg.synth.sampling), a
heart whose ED/ES tracings fall in the real geometric ranges (lvseg.synth.anatomy), rendered as
B-mode frames (lvseg.synth.render) and written as a 112x112, 3-channel MJPG AVI.

Volumes: EDV and ESV are the single-plane method of disks (lvseg.geometry.disk_volume) applied to the
written (6-decimal) tracings with a fixed pixel size of MM_PER_PIXEL = 1.25 mm, i.e.
    V = sum_i pi * (d_i * 1.25 / 2)**2 * (L * 1.25 / 20) / 1000  mL,
d_i the 20 chord lengths and L the long-axis length in px; EF = (EDV - ESV) / EDV * 100. With the
generator's LV sizes this gives EDV median ~83 mL (real: 82) and ESV median ~36 mL (real: 34).
The tracing rows are the exact chords of the rendered frame's true endocardial contour
(lvseg.geometry.disks.tracing_from_contour). The first-listed traced frame is ED 80 % of the time,
so a reader relying on row order rather than polygon area gets some videos wrong.
FPS and NumberOfFrames are what OpenCV reads back from the written file.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from lvseg.datasets.echonet import FILELIST_COLUMNS, TRACING_COLUMNS
from lvseg.frame import FRAME_SHAPE
from lvseg.geometry.mask import Tracing, disk_volume
from lvseg.synth import sampling
from lvseg.synth.anatomy import sample_heart
from lvseg.synth.render import render_clip, sample_look

MM_PER_PIXEL = 1.25
ED_LISTED_FIRST = 0.8


@dataclass
class Rows:
    """CSV rows collected while writing (strings, already formatted)."""

    filelist: list[list[str]]
    tracings: list[list[str]]


def fmt(value: float) -> str:
    """Fixed float formatting so identical inputs always give identical bytes."""
    return f"{value:.6f}"


def round_tracing(tracing: Tracing) -> Tracing:
    return Tracing.from_rows(np.round(tracing.rows(), 6))


def write_avi(path: str, frames: np.ndarray, fps: int) -> tuple[float, int]:
    """Write grey uint8 (T, H, W) frames as a 3-channel MJPG AVI; returns (FPS, frame count) OpenCV reads back."""
    h, w = frames.shape[1:]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), float(fps), (w, h), True)
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write MJPG to {path}")
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    writer.release()
    capture = cv2.VideoCapture(path)
    try:
        read_fps, count = float(capture.get(cv2.CAP_PROP_FPS)), int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        capture.release()
    return read_fps, count


def filelist_row(name: str, ef: float, esv: float, edv: float, shape: tuple[int, int], fps: float, frames: int,
                 split: str) -> list[str]:
    fps_text = str(int(fps)) if float(fps).is_integer() else fmt(fps)
    return [name, fmt(ef), fmt(esv), fmt(edv), str(shape[0]), str(shape[1]), fps_text, str(frames), split]


def tracing_rows(name: str, tracing: Tracing, frame: int) -> list[list[str]]:
    return [[name + ".avi", *(fmt(v) for v in row), str(frame)] for row in tracing.rows()]


def make_video(out: str, seed: int, index: int, split: str, min_frames: int | None,
               max_frames: int | None, stream: str = "clean") -> tuple[list[str], list[list[str]], int]:
    """Render and write one valid video; returns (FileList row, tracing rows, frame count).

    ``stream`` separates the random draws and ids of clean videos from those of fault videos.
    """
    rng = sampling.video_rng(seed, index, stream)
    name = sampling.video_id(seed, index, stream)
    ef_target = sampling.draw_ef(rng)
    heart = sample_heart(rng, ef_target)
    fps = sampling.draw_fps(rng)
    timing = sampling.draw_timing(rng, fps, sampling.draw_frames(rng, min_frames, max_frames))
    look = sample_look(rng)
    frames = render_clip(heart, timing.states, look, rng, filling=timing.filling)
    read_fps, count = write_avi(os.path.join(out, "Videos", name + ".avi"), frames, fps)
    if count != timing.frames:
        raise RuntimeError(f"{name}: wrote {timing.frames} frames, OpenCV reads {count}")
    ed = round_tracing(heart.lv(float(timing.states[timing.ed_frame])).tracing())
    es = round_tracing(heart.lv(float(timing.states[timing.es_frame])).tracing())
    edv, esv = disk_volume(ed, MM_PER_PIXEL), disk_volume(es, MM_PER_PIXEL)
    ef = (edv - esv) / edv * 100.0
    row = filelist_row(name, ef, esv, edv, FRAME_SHAPE, read_fps, count, split)
    traced = [(ed, timing.ed_frame), (es, timing.es_frame)]
    if rng.uniform() >= ED_LISTED_FIRST:
        traced.reverse()
    rows = [r for tracing, frame in traced for r in tracing_rows(name, tracing, frame)]
    return row, rows, count


def write_csv(path: str, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", newline="") as handle:
        handle.write("\n".join(",".join(r) for r in [header, *rows]) + "\n")


def generate_echonet(out: str, videos: int, seed: int = 0, faults: bool = False, max_frames: int | None = None,
                     min_frames: int | None = None, workers: int = 1) -> dict:
    """Write a synthetic EchoNet-Dynamic dataset under ``out``; returns a small summary.

    ``faults=True`` appends one extra video (or CSV defect) per kind of bad input the reader rejects and
    writes ``faults.json`` ({video_id: RejectReason value}); the clean videos are byte-identical either way.
    ``min_frames`` / ``max_frames`` bound NumberOfFrames (tests use short clips). ``workers`` > 1 renders
    videos in that many processes; the bytes written do not depend on it.
    """
    if videos < 0:
        raise ValueError("videos must be >= 0")
    os.makedirs(os.path.join(out, "Videos"), exist_ok=True)
    rows = Rows([], [])
    total_frames = 0
    splits = sampling.assign_splits(videos, seed)
    jobs = [(out, seed, index, splits[index], min_frames, max_frames) for index in range(videos)]
    if workers > 1 and videos > 1:
        context = multiprocessing.get_context("spawn")  # no fork: the caller may hold TensorFlow threads
        with ProcessPoolExecutor(min(workers, videos), mp_context=context) as pool:
            results = list(pool.map(make_video, *zip(*jobs)))
    else:
        results = [make_video(*job) for job in jobs]
    for row, traced, count in results:
        rows.filelist.append(row)
        rows.tracings.extend(traced)
        total_frames += count
    expected: dict[str, str] = {}
    if faults:
        from lvseg.synth.faults import add_faults

        expected = add_faults(out, seed, rows, max_frames=max_frames)
        with open(os.path.join(out, "faults.json"), "w") as handle:
            json.dump(expected, handle, indent=2, sort_keys=True)
            handle.write("\n")
    write_csv(os.path.join(out, "FileList.csv"), FILELIST_COLUMNS, rows.filelist)
    write_csv(os.path.join(out, "VolumeTracings.csv"), TRACING_COLUMNS, rows.tracings)
    return {"out": out, "videos": videos, "frames": total_frames, "seed": seed,
            "splits": {s: splits.count(s) for s in ("TRAIN", "VAL", "TEST")},
            "faults": len(expected), "mm_per_pixel": MM_PER_PIXEL}
