"""Bounds on every number a dataset file can carry, so that no input makes lvseg allocate without limit
or loop for minutes: a frame rate of 1e6 or 0, a header claiming millions of frames, a 30,000-column frame.

EchoNet-Dynamic's own ranges (FPS 18-138, 28-1,002 frames, 112x112) sit far inside these; a value outside
is a broken header or a mistyped CSV, and the video is a named reject, checked before frames are decoded.
"""

from __future__ import annotations

import math

MIN_FPS = 1.0          # slower than one frame a second is no cine loop
MAX_FPS = 1000.0       # no echo machine or screen recorder goes beyond this
MAX_FRAMES = 20_000    # over 5 min at 60 fps; EchoNet's longest clip has 1,002
MAX_DECODED_BYTES = MAX_FRAMES * 112 * 112  # the most pixels one video may decode to (about 250 MB)


def fps_problem(fps: float | None) -> str:
    """Why a frame rate is unusable ("" when it is usable)."""
    if fps is None or not math.isfinite(fps) or fps <= 0:
        return "no frame rate"
    if not MIN_FPS <= fps <= MAX_FPS:
        return f"a frame rate of {fps:g} outside {MIN_FPS:g}-{MAX_FPS:g} fps"
    return ""


def frames_problem(frames: int) -> str:
    """Why a frame count is unusable ("" when it is within the limit)."""
    return f"{frames} frames (limit {MAX_FRAMES})" if frames > MAX_FRAMES else ""
