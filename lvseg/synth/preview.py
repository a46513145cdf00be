"""Contact sheet of a dataset's ED and ES frames with the traced polygon drawn over them (a quick visual check).

One row per video: ED frame, ED with its official polygon (green) and long axis (red), ES frame, ES with
its polygon. Works on any EchoNet-layout folder, synthetic or real.
"""

from __future__ import annotations

import os

import cv2
import numpy as np

from lvseg.datasets.echonet import EchoVideo, TracedFrame, iter_dataset
from lvseg.geometry.mask import tracing_polygon

ZOOM = 3


def _overlay(frame: np.ndarray, traced: TracedFrame, zoom: int) -> np.ndarray:
    big = cv2.resize(frame, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST)
    img = cv2.cvtColor(big, cv2.COLOR_GRAY2BGR)
    xs, ys = tracing_polygon(traced.tracing)
    pts = np.round(np.stack([xs, ys], 1) * zoom + zoom / 2 - 0.5).astype(np.int32)
    cv2.polylines(img, [pts], True, (0, 220, 0), 1, cv2.LINE_AA)
    apex, base = traced.tracing.long_axis
    cv2.line(img, tuple(np.round(apex * zoom).astype(int)), tuple(np.round(base * zoom).astype(int)), (0, 0, 230), 1)
    return img


def contact_sheet(root: str, videos: int = 6, zoom: int = ZOOM) -> np.ndarray:
    """BGR uint8 image: ``videos`` rows of [ED, ED+tracing, ES, ES+tracing], each frame ``zoom`` times enlarged."""
    rows = []
    for item in iter_dataset(root):
        if not isinstance(item, EchoVideo):
            continue
        tiles = []
        for traced in item.traced:
            frame = item.frames[traced.index]
            plain = cv2.cvtColor(cv2.resize(frame, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST),
                                 cv2.COLOR_GRAY2BGR)
            label = f"{item.video_id[:8]} {traced.phase} f{traced.index} area {traced.area:.0f}"
            cv2.putText(plain, label, (4, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.11 * zoom, (255, 255, 0), 1, cv2.LINE_AA)
            tiles += [plain, _overlay(frame, traced, zoom)]
        rows.append(np.concatenate(tiles, axis=1))
        if len(rows) == videos:
            break
    if not rows:
        raise SystemExit(f"no readable video under {root}")
    return np.concatenate(rows, axis=0)


def write_preview(root: str, out: str, videos: int = 6, zoom: int = ZOOM) -> str:
    """Write the contact sheet as PNG (or any format cv2 knows by the extension); returns the path."""
    sheet = contact_sheet(root, videos, zoom)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    if not cv2.imwrite(out, sheet, [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        raise OSError(f"cannot write {out}")
    return out
