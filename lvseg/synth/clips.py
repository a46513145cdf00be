"""Make one synthetic EchoNet-Dynamic video: its AVI file, its FileList row and its VolumeTracings rows.

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

import os
from dataclasses import dataclass

import cv2
import numpy as np

from lvseg.geometry.mask import FRAME_SHAPE, Tracing, disk_volume
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
