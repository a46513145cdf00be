"""Static clutter suppression: each frame less a share of what does not move in its clip.

Near-field clutter and reverberation from the chest wall stay put in the image while the heart moves under them.
Inside the cavity a model reads that haze as tissue, and it does so more at one phase than at the other, so the
ES and ED volumes err apart and EF with them (on the held-out haze look the demo's mask model understated EF by
14-17 points at the true ED and ES frames; docs/synthetic_data.md). The clutter floor of a pixel is a low
percentile (FLOOR_PERCENTILE) of its values over the clip's first FLOOR_S seconds, at least one cycle at the
slowest rate considered (40 bpm): blood passing a cavity pixel takes it down to that floor at some frame and a
moving wall does not stay on it, so what the floor holds is what never moves: clutter, and also an ECG trace or
burnt-in text. Every frame then loses ``strength`` times its pixel's floor. A share, not all of it: the apex and
other near-still tissue are in the floor too, and taking it all would erase them.

The floor is held once its span is seen, so a stream (``StreamDeclutter``: frames held for the first FLOOR_S
seconds, then passed on one by one) and a whole clip (``declutter_clip``) give the same frames bit for bit.
"""

from __future__ import annotations

import numpy as np

FLOOR_S = 2.0
FLOOR_PERCENTILE = 5.0
# lvseg analyze's and lvseg stream's default (``--declutter``), chosen on clips of the tuning seed (physiology
# seed 1, train preset, 20 clips per look; benchmarks/declutter.py, the demo's models) by the EF error at the true
# ED and ES frames: 0.5 lowered its MAE on the training look (mask 4.47 -> 4.42, landmarks 4.69 -> 4.12) and, for
# the mask model, on three of four held-out looks (haze 19.5 -> 13.2, contrast 6.1 -> 4.9, drop-out 11.5 -> 10.2)
# and raised it on heavy trabeculation (4.8 -> 6.1); 0.7 and 0.9 did more for haze (10.6, 9.7) and cost on the
# training look (4.58, 4.66) and on trabeculation (6.7, 7.3).
DEFAULT_STRENGTH = 0.5


def floor_frames(fps: float) -> int:
    """How many of a clip's first frames its clutter floor is taken over."""
    return max(1, int(round(FLOOR_S * float(fps))))


def clutter_floor(frames: np.ndarray) -> np.ndarray:
    """(H, W) float32: each pixel's FLOOR_PERCENTILE over the (N, H, W) frames."""
    return np.percentile(np.asarray(frames, dtype=np.float32), FLOOR_PERCENTILE, axis=0).astype(np.float32)


def video_floor(frames: np.ndarray, fps: float) -> np.ndarray:
    """(H, W) float32: the clutter floor of a whole (N, H, W) clip, taken over its first floor_frames(fps) frames as
    analyze and stream take it; preprocessing stores it with each traced frame (lvseg.records.schema)."""
    return clutter_floor(np.asarray(frames)[:floor_frames(fps)])


def declutter(frames: np.ndarray, floor: np.ndarray, strength: float) -> np.ndarray:
    """uint8 frames (..., H, W) less ``strength`` times the floor, clipped at 0."""
    lowered = np.asarray(frames, dtype=np.float32) - np.float32(strength) * floor
    return np.clip(lowered, 0.0, 255.0).astype(np.uint8)


def declutter_clip(frames: np.ndarray, fps: float, strength: float) -> np.ndarray:
    """A whole (N, H, W) uint8 clip decluttered, the floor taken over its first floor_frames(fps) frames;
    the frames themselves when ``strength`` is 0."""
    frames = np.asarray(frames)
    if strength <= 0 or not len(frames):
        return frames
    return declutter(frames, video_floor(frames, fps), strength)


class StreamDeclutter:
    """Push (H, W) uint8 frames one at a time: none come out while the floor's span fills, then that span's
    frames and every later one as it comes, decluttered; ``finish`` releases a stream shorter than the span."""

    def __init__(self, fps: float, strength: float) -> None:
        self.strength, self.span = float(strength), floor_frames(fps)
        self._held: list[np.ndarray] = []
        self._floor: np.ndarray | None = None

    def push(self, frame: np.ndarray) -> list[np.ndarray]:
        if self._floor is not None:
            return [declutter(frame, self._floor, self.strength)]
        self._held.append(np.asarray(frame))
        return self._release() if len(self._held) == self.span else []

    def finish(self) -> list[np.ndarray]:
        return self._release() if self._held else []

    def _release(self) -> list[np.ndarray]:
        held, self._held = np.stack(self._held), []
        self._floor = clutter_floor(held)
        return list(declutter(held, self._floor, self.strength))
