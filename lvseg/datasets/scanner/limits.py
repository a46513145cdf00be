"""How big a scanner clip may be, checked from its header before any frame is decoded.

A clip is converted frame by frame, so memory is bounded by one full-size frame plus the 112x112 output;
these limits keep a hostile or mistaken header (a 30,000-column frame, millions of frames) from costing more
than that promise allows.
"""

from __future__ import annotations

from dataclasses import dataclass

from lvseg.datasets.limits import MAX_FRAMES
from lvseg.datasets.rejects import RejectReason
from lvseg.datasets.video import VideoError


@dataclass(frozen=True)
class Limits:
    """Largest accepted clip: one decoded frame (rows x columns x channels x bytes) and the frame count.

    The defaults take a 4K screen recording (3840x2160 RGB, 24.9 MB a frame) and 20,000 frames (over 5 min
    at 60 fps; EchoNet's longest clip has 1,002): the 112x112 output is then at most 251 MB.
    """

    max_frame_bytes: int = 64 * 1024 * 1024
    max_side: int = 8192
    max_frames: int = MAX_FRAMES  # the bound every reader applies

    def check_frame(self, rows: int, columns: int, channels: int = 1, bytes_per_sample: int = 1) -> None:
        """Raise VideoError(FRAMES_TOO_LARGE) for a frame shape beyond the limits (or not a shape at all)."""
        if rows <= 0 or columns <= 0 or channels <= 0:
            raise VideoError(RejectReason.VIDEO_UNDECODABLE, f"frame shape {rows}x{columns}x{channels}")
        size = rows * columns * channels * bytes_per_sample
        if max(rows, columns) > self.max_side or size > self.max_frame_bytes:
            raise VideoError(RejectReason.FRAMES_TOO_LARGE,
                             f"{columns}x{rows}x{channels} frames ({size:,} bytes each; limit "
                             f"{self.max_frame_bytes:,} bytes, {self.max_side} px a side)")

    def check_count(self, frames: int) -> None:
        """Raise VideoError(FRAMES_TOO_LARGE) for more frames than the limit."""
        if frames > self.max_frames:
            raise VideoError(RejectReason.FRAMES_TOO_LARGE, f"{frames} frames (limit {self.max_frames})")
