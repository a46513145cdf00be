"""Image and geometry statistics of traced frames, to compare a dataset with the real EchoNet ranges.

Measured per traced frame (the same way for synthetic and real data):
  area        official-mask pixels;   axis_length / axis_angle  long axis in px / degrees below horizontal;
  apex, base  long-axis end points;   blood  mean grey inside the mask;
  ring        mean grey of the band 1-6 px outside the mask (the myocardium around the cavity);
  rest        mean grey of the fan farther than 6 px from the mask;
  fan_share   share of the frame's pixels inside the sector (pixels whose maximum over the clip > 8);
  echo_offset median distance (px) outside the traced border of the brightest echo along the outward
              normal (0-10 px), over the contour points facing the beam.
Measured per video and pooled (``structure_table``):
  sector quantiles  grey p10/25/50/75/90/99 over the sector pixels of the traced frames;
  border profile    mean grey at signed distances -8, -6, ..., +12 px from the traced border
                    (negative inside; pixels within 1 px of each distance), and where it rises half-way from
                    its value 8 px inside to its peak (``half_rise``: where a model learns the LV ends);
  frame correlation mean Pearson correlation of consecutive frames over the sector.
REAL_RANGES holds the ranges measured on real traced frames (project reference); REAL_STRUCTURE the
figures measured over 60 real videos (the references the generator is matched against).

``lvseg synth stats DATASET [--videos N]`` prints both tables for any EchoNet-layout folder.
"""

from __future__ import annotations

import cv2
import numpy as np

from lvseg.datasets.echonet import EchoVideo, TracedFrame
from lvseg.geometry.mask import tracing_polygon

RING_PX = 6
QUANTILES = (10, 25, 50, 75, 90, 99)
PROFILE_PX = tuple(range(-8, 13, 2))
REAL_BORDER_PROFILE = (10.0, 12.0, 16.0, 19.0, 37.0, 60.0, 73.0, 77.0, 72.0, 62.0, 53.0)
REAL_STRUCTURE = {"sector_quantiles": (3, 14, 41, 86, 129, 194), "border_profile": REAL_BORDER_PROFILE,
                  "frame_correlation": 0.95}
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


def border_profile(frame: np.ndarray, mask: np.ndarray, fan: np.ndarray) -> np.ndarray:
    """Mean grey at each signed distance of PROFILE_PX from the mask border (negative inside), in the fan."""
    inside = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 5)
    outside = cv2.distanceTransform((1 - mask).astype(np.uint8), cv2.DIST_L2, 5)
    signed = np.where(mask > 0, -inside + 0.5, outside - 0.5)
    values = [frame[(np.abs(signed - d) <= 1.0) & (fan > 0)] for d in PROFILE_PX]
    return np.array([v.mean() if v.size else np.nan for v in values])


def structure_stats(video: EchoVideo) -> dict[str, np.ndarray]:
    """Sector grey values of the traced frames, their border profiles and the frame-to-frame correlation."""
    frames = video.frames
    fan = fan_mask(frames)
    sector = np.concatenate([frames[t.index][fan > 0] for t in video.traced])
    profiles = np.stack([border_profile(frames[t.index].astype(np.float64), t.mask, fan) for t in video.traced])
    flat = frames[:, fan > 0].astype(np.float64)
    flat -= flat.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(flat, axis=1) + 1e-9
    corr = np.sum(flat[1:] * flat[:-1], axis=1) / (norms[1:] * norms[:-1])
    return {"sector": sector, "profile": profiles, "correlation": np.array([corr.mean()])}


def structure_table(videos: list[EchoVideo]) -> dict[str, tuple[float, ...]]:
    """Pooled sector quantiles, mean border profile and mean frame correlation of the given videos."""
    per = [structure_stats(v) for v in videos]
    sector = np.concatenate([p["sector"] for p in per])
    return {"sector_quantiles": tuple(float(v) for v in np.percentile(sector, QUANTILES)),
            "border_profile": tuple(float(v) for v in np.nanmean(np.concatenate([p["profile"] for p in per]), 0)),
            "frame_correlation": (float(np.mean([p["correlation"][0] for p in per])),)}


def half_rise(profile: tuple[float, ...] | np.ndarray) -> float:
    """Signed distance (px, negative inside) where a border profile first reaches half-way from its value 8 px
    inside the tracing to its peak, interpolated linearly between the PROFILE_PX steps."""
    p = np.asarray(profile, float)
    scaled = (p - p[0]) / max(p.max() - p[0], 1e-9)
    i = int(np.argmax(scaled >= 0.5))
    step = PROFILE_PX[1] - PROFILE_PX[0]
    return float(PROFILE_PX[i - 1] + step * (0.5 - scaled[i - 1]) / (scaled[i] - scaled[i - 1]))


def format_structure(table: dict[str, tuple[float, ...]]) -> str:
    lines = []
    for key, values in table.items():
        real = REAL_STRUCTURE[key]
        real = real if isinstance(real, tuple) else (real,)
        lines.append(f"{key:<18} this: {' '.join(f'{v:.2f}' if v < 1 else f'{v:.0f}' for v in values)}")
        lines.append(f"{'':<18} real: {' '.join(f'{v:.2f}' if v < 1 else f'{v:.0f}' for v in real)}")
    lines.append(f"{'border half-rise':<18} this: {half_rise(table['border_profile']):+.2f} px   "
                 f"real: {half_rise(REAL_BORDER_PROFILE):+.2f} px")
    return "\n".join(lines)


def print_stats(root: str, videos: int = 0) -> None:
    """Print the traced-frame table and the structure table of an EchoNet-layout dataset."""
    from lvseg.datasets.echonet import iter_dataset

    loaded = []
    for item in iter_dataset(root):
        if isinstance(item, EchoVideo):
            loaded.append(item)
            if videos and len(loaded) == videos:
                break
    if not loaded:
        raise SystemExit(f"no readable video under {root}")
    print(f"{len(loaded)} videos of {root}")
    print(format_table(dataset_table(loaded)))
    print(format_structure(structure_table(loaded)))
