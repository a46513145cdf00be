"""Contact sheets: a dataset's ED/ES frames with their tracings, and the generator's label maps and styles.

``contact_sheet`` (``lvseg synth preview DIR``): one row per video of any EchoNet-layout folder,
synthetic or real: ED frame, ED with its official polygon (green) and long axis (red), ES, ES + polygon.
``style_sheet`` (``lvseg synth sheet``, docs/synthetic_preview.png): one row per synthetic video: the ED
and ES anatomy label maps with the tracing, then the same two frames rendered in each named style
(the geometry does not depend on the style).
"""

from __future__ import annotations

import os

import cv2
import numpy as np

from lvseg.datasets.echonet import EchoVideo, TracedFrame, iter_dataset
from lvseg.geometry.mask import tracing_polygon

ZOOM = 3
# BGR colour of each lvseg.synth.labels class
CLASS_COLOURS = np.array([[70, 70, 70], [0, 0, 0], [40, 40, 200], [90, 110, 170], [0, 170, 230], [90, 20, 20],
                          [170, 90, 90], [20, 80, 20], [20, 20, 90], [80, 170, 80], [0, 255, 255], [255, 0, 255],
                          [255, 255, 255], [130, 0, 130], [200, 255, 255], [120, 60, 200], [40, 10, 80]], np.uint8)


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


def _polygon(image: np.ndarray, tracing, zoom: int) -> np.ndarray:
    xs, ys = tracing_polygon(tracing)
    pts = np.round(np.stack([xs, ys], 1) * zoom + zoom / 2 - 0.5).astype(np.int32)
    cv2.polylines(image, [pts], True, (0, 220, 0), 1, cv2.LINE_AA)
    return image


def _label(image: np.ndarray, text: str, zoom: int) -> np.ndarray:
    cv2.putText(image, text, (3, 10), cv2.FONT_HERSHEY_SIMPLEX, 0.12 * zoom, (255, 255, 0), 1, cv2.LINE_AA)
    return image


def style_sheet(styles: tuple[str, ...], videos: int = 4, seed: int = 0, zoom: int = 2,
                max_frames: int = 48) -> np.ndarray:
    """BGR uint8 sheet: per video, the ED/ES label maps (with the tracing) then ED/ES in every style."""
    from lvseg.synth.clips import render_video
    from lvseg.synth.plan import plan_video
    from lvseg.synth.truth import VideoTruth

    big = lambda a: cv2.resize(a, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST)  # noqa: E731
    rows = []
    for index in range(videos):
        plan = plan_video(seed, index, max_frames=max_frames)
        truth = VideoTruth(plan)
        phases = (("ED", plan.timing.ed_frame), ("ES", plan.timing.es_frame))
        tiles = [_label(_polygon(big(CLASS_COLOURS[truth.labels(t)]), truth.tracings[t], zoom), f"labels {p}", zoom)
                 for p, t in phases]
        for style in styles:
            frames, _ = render_video(plan, style)
            tiles += [_label(cv2.cvtColor(big(frames[t]), cv2.COLOR_GRAY2BGR), f"{style} {p}", zoom) for p, t in phases]
        rows.append(np.concatenate(tiles, axis=1))
    return np.concatenate(rows, axis=0)


def write_style_sheet(out: str, styles: tuple[str, ...], videos: int = 4, seed: int = 0, zoom: int = 2) -> str:
    sheet = style_sheet(styles, videos, seed, zoom)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    if not cv2.imwrite(out, sheet, [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        raise OSError(f"cannot write {out}")
    return out
