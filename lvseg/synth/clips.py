"""Make one synthetic EchoNet-Dynamic video: its AVI file, its FileList row and its VolumeTracings rows.

A video is its geometry plan (lvseg.synth.plan: EF, heart, rhythm, probe motion, all from the geometry
stream) rendered in a Look drawn from a Style (lvseg.synth.style, the ``look`` stream) by
lvseg.synth.render (the ``render`` stream), then written as a 112x112, 3-channel MJPG AVI with the
clip's JPEG quality (OpenCV's own MJPEG writer: the FFMPEG backend ignores the quality setting).
Fault videos (lvseg.synth.faults) skip the render: plain frames at DEFAULT_QUALITY, same plan and rows.

Volumes: EDV and ESV are the single-plane method of disks (lvseg.geometry.disk_volume) applied to the
written (6-decimal) tracings with a fixed pixel size of MM_PER_PIXEL = 1.25 mm, i.e.
    V = sum_i pi * (d_i * 1.25 / 2)**2 * (L * 1.25 / 20) / 1000  mL,
d_i the 20 chord lengths and L the long-axis length in px; EF = (EDV - ESV) / EDV * 100. With the
generator's LV sizes this gives EDV median ~83 mL (real: 82) and ESV median ~36 mL (real: 34).
The tracing rows are the exact chords of the rendered frame's true LV border, moved with the probe
(lvseg.geometry.disks.tracing_from_contour); the LV region of every frame's label map is that tracing's
polygon. The first-listed traced frame is ED 80 % of the time, so a reader relying on row order rather
than polygon area gets some videos wrong. FPS and NumberOfFrames are what OpenCV reads back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import cv2
import numpy as np

from lvseg.frame import FRAME_SHAPE
from lvseg.geometry.mask import Tracing, disk_volume
from lvseg.synth import sampling
from lvseg.synth.plan import VideoPlan, appearance
from lvseg.synth.render import render_clip
from lvseg.synth.style import Style

MM_PER_PIXEL = 1.25
DEFAULT_QUALITY = 90


@dataclass
class Rows:
    """CSV rows collected while writing (strings, already formatted)."""

    filelist: list[list[str]]
    tracings: list[list[str]]


def fmt(value: float) -> str:
    """Fixed float formatting so identical inputs always give identical bytes."""
    return f"{value:.6f}"


def write_csv(path: str, header: list[str], rows: list[list[str]]) -> None:
    """``header`` and ``rows`` comma-joined, one line each: every CSV the generator writes has this layout."""
    with open(path, "w", newline="") as handle:
        handle.write("\n".join(",".join(r) for r in [header, *rows]) + "\n")


def write_avi(path: str, frames: np.ndarray, fps: int, quality: int = DEFAULT_QUALITY) -> tuple[float, int]:
    """Write grey uint8 (T, H, W) frames as a 3-channel MJPG AVI; returns (FPS, frame count) OpenCV reads back."""
    h, w = frames.shape[1:]
    writer = cv2.VideoWriter(path, cv2.CAP_OPENCV_MJPEG, cv2.VideoWriter.fourcc(*"MJPG"), float(fps), (w, h), True)
    if not writer.isOpened() or not writer.set(cv2.VIDEOWRITER_PROP_QUALITY, float(quality)):
        raise RuntimeError(f"OpenCV cannot write MJPG (quality {quality}) to {path}")
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


def render_video(plan: VideoPlan, style: str | Style = "train", split: str = "TRAIN") -> tuple[np.ndarray, int]:
    """(uint8 frames, JPEG quality) of a planned video; VAL / TEST clips are B-mode."""
    look, extras = appearance(plan, style, training=split == "TRAIN")
    rng = sampling.video_rng(plan.seed, plan.index, plan.stream + ":render")
    frames, _ = render_clip(plan.anatomy, plan.frames, look, extras, rng,
                            r_waves=np.asarray(plan.timing.r_waves))
    return frames, look.jpeg_quality


def plain_frames(frames: int) -> np.ndarray:
    """Cheap stand-in pixels (a diagonal gradient moving one level per frame) for videos nobody looks at."""
    ramp = np.add.outer(np.arange(FRAME_SHAPE[0]), np.arange(FRAME_SHAPE[1]))
    return np.stack([(ramp + t) % 256 for t in range(frames)]).astype(np.uint8)


def make_video(out: str, plan: VideoPlan, split: str, style: str | Style = "train", render: bool = True
               ) -> tuple[list[str], list[list[str]], int]:
    """Write one valid video of ``plan`` (lvseg.synth.plan.plan_video); returns (FileList row, tracing rows,
    frame count).

    ``render=False`` writes plain_frames at DEFAULT_QUALITY instead of the physics render: fault videos
    need a decodable file and valid rows, not an echo image.
    """
    if render:
        frames, quality = render_video(plan, style, split=split)
    else:
        frames, quality = plain_frames(plan.frames), DEFAULT_QUALITY
    read_fps, count = write_avi(os.path.join(out, "Videos", plan.name + ".avi"), frames, plan.timing.fps, quality)
    if count != plan.frames:
        raise RuntimeError(f"{plan.name}: wrote {plan.frames} frames, OpenCV reads {count}")
    ed, es = plan.tracing(plan.timing.ed_frame), plan.tracing(plan.timing.es_frame)
    edv, esv = disk_volume(ed, MM_PER_PIXEL), disk_volume(es, MM_PER_PIXEL)
    ef = (edv - esv) / edv * 100.0
    row = filelist_row(plan.name, ef, esv, edv, FRAME_SHAPE, read_fps, count, split)
    traced = [(ed, plan.timing.ed_frame), (es, plan.timing.es_frame)]
    if not plan.ed_first:
        traced.reverse()
    rows = [r for tracing, frame in traced for r in tracing_rows(plan.name, tracing, frame)]
    return row, rows, count
