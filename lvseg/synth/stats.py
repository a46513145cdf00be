"""Image and geometry statistics of traced frames, to compare a dataset with the real EchoNet ranges.

Measured per traced frame (the same way for synthetic and real data):
  area        official-mask pixels;   axis_length / axis_angle  long axis in px / degrees below horizontal;
  apex, base  long-axis end points;   blood  mean grey inside the mask;
  ring        mean grey of the band 1-6 px outside the mask (the myocardium around the cavity);
  rest        mean grey of the fan farther than 6 px from the mask;
  fan_share   share of the frame's pixels inside the sector (pixels whose maximum over the clip > 8);
  echo_offset median distance (px) outside the traced border of the brightest echo along the outward
              normal (0-10 px), over the contour points facing the beam.
REAL_RANGES holds the ranges measured on real traced frames (project reference).
"""

from __future__ import annotations

import cv2
import numpy as np

from lvseg.datasets.echonet import EchoVideo, TracedFrame
from lvseg.geometry.mask import tracing_polygon

RING_PX = 6
REAL_RANGES = {
    "ed_area": (1040, 2720), "es_area": (640, 1640), "area_ratio": (1.3, 1.9), "axis_length": (43, 75),
    "axis_angle": (66, 86), "apex_x": (42, 64), "apex_y": (12, 36), "base_x": (58, 80), "base_y": (67, 100),
    "blood": (2, 39), "ring": (29, 90), "rest": (37, 71), "fan_share": (0.55, 0.72),
}


def _disk(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def fan_mask(frames: np.ndarray) -> np.ndarray:
    return (frames.max(axis=0) > 8).astype(np.uint8)


def echo_offset(frame: np.ndarray, traced: TracedFrame, max_px: int = 10) -> float:
    """Median distance outside the traced border of the brightest echo along each outward normal."""
    xs, ys = tracing_polygon(traced.tracing)
    pts = np.stack([xs, ys], 1)
    centre = pts.mean(axis=0)
    blurred = cv2.GaussianBlur(frame.astype(np.float32), (0, 0), 0.8)
    steps = np.arange(0, max_px + 1, dtype=np.float32)
    offsets = []
    for p in pts[1:-1]:
        normal = p - centre
        normal /= np.linalg.norm(normal) + 1e-9
        line = p[None, :] + steps[:, None] * normal[None, :]
        cols, rows = np.clip(np.rint(line[:, 0]), 0, 111).astype(int), np.clip(np.rint(line[:, 1]), 0, 111).astype(int)
        profile = blurred[rows, cols]
        if profile.max() > 0:
            offsets.append(float(steps[int(np.argmax(profile))]))
    return float(np.median(offsets)) if offsets else float("nan")


def frame_stats(frames: np.ndarray, traced: TracedFrame, fan: np.ndarray | None = None) -> dict[str, float]:
    """Statistics of one traced frame of a clip (frames uint8 (T, 112, 112))."""
    fan = fan_mask(frames) if fan is None else fan
    frame = frames[traced.index].astype(np.float64)
    mask = traced.mask
    near = cv2.dilate(mask, _disk(1)) > 0
    far = cv2.dilate(mask, _disk(RING_PX)) > 0
    ring = far & ~near & (fan > 0)
    rest = (fan > 0) & ~far
    apex, base = traced.tracing.long_axis
    d = base - apex
    return {
        "area": float(mask.sum()), "axis_length": float(np.hypot(*d)),
        "axis_angle": float(np.degrees(np.arctan2(d[1], d[0]))), "apex_x": float(apex[0]), "apex_y": float(apex[1]),
        "base_x": float(base[0]), "base_y": float(base[1]), "blood": float(frame[mask > 0].mean()),
        "ring": float(frame[ring].mean()), "rest": float(frame[rest].mean()), "fan_share": float(fan.mean()),
        "echo_offset": echo_offset(frames[traced.index], traced),
    }


def video_stats(video: EchoVideo) -> dict[str, dict[str, float]]:
    """{'ED': stats, 'ES': stats} of a decoded video."""
    fan = fan_mask(video.frames)
    return {t.phase: frame_stats(video.frames, t, fan) for t in video.traced}


def dataset_table(videos: list[EchoVideo]) -> dict[str, tuple[float, float, float]]:
    """(min, median, max) of every statistic over the given videos, ED and ES pooled unless named so."""
    per = [video_stats(v) for v in videos]
    values: dict[str, list[float]] = {}
    for s in per:
        values.setdefault("ed_area", []).append(s["ED"]["area"])
        values.setdefault("es_area", []).append(s["ES"]["area"])
        values.setdefault("area_ratio", []).append(s["ED"]["area"] / s["ES"]["area"])
        values.setdefault("ed_echo_offset", []).append(s["ED"]["echo_offset"])
        values.setdefault("es_echo_offset", []).append(s["ES"]["echo_offset"])
        for phase in ("ED", "ES"):
            for key, value in s[phase].items():
                if key not in ("area", "echo_offset"):
                    values.setdefault(key, []).append(value)
    return {k: (float(np.min(v)), float(np.median(v)), float(np.max(v))) for k, v in values.items()}


def format_table(table: dict[str, tuple[float, float, float]]) -> str:
    lines = [f"{'statistic':<16}{'min':>9}{'median':>9}{'max':>9}   real range"]
    for key, (lo, mid, hi) in table.items():
        real = REAL_RANGES.get(key)
        lines.append(f"{key:<16}{lo:>9.2f}{mid:>9.2f}{hi:>9.2f}   {'' if real is None else f'{real[0]}-{real[1]}'}")
    return "\n".join(lines)
