"""One video's geometry, drawn before any pixel: EF, heart, rhythm, probe position and motion, traced frames.

The physiology preset (lvseg.synth.physiology) sets the ranges of the rhythm, EF, hypokinesis and clip length.

Every draw here comes from the video's own ``geometry`` stream (lvseg.synth.sampling.video_rng), so the
plan is a pure function of (seed, index, stream, min_frames, max_frames): the appearance (another stream,
drawn from any Style) never changes the hearts, tracings or volumes. ``video_truth`` (lvseg.synth.truth)
replays it to give the LV of every frame.

Probe and breathing motion is rigid (lvseg.synth.motion). The ED and ES tracings written to
VolumeTracings.csv are those of the moved contours, and they must still fall in the real ranges
(anatomy.tracing_checks); a motion draw that breaks them is redrawn with a smaller amplitude.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lvseg.geometry.disks import tracing_from_contour
from lvseg.geometry.mask import Tracing, tracing_polygon
from lvseg.synth import sampling
from lvseg.synth.anatomy import Heart, sample_heart, tracing_checks
from lvseg.synth.labels import Extras, FrameAnatomy, draw_extras, frame_anatomy
from lvseg.synth.motion import Motion, Similarity, draw_motion
from lvseg.synth.physiology import Physiology, get_physiology
from lvseg.synth.style import Look, Style, draw_apex, draw_look, get_style

ED_LISTED_FIRST = 0.8
MOTION_TRIES = 12


def round_tracing(tracing: Tracing) -> Tracing:
    """The tracing as written to VolumeTracings.csv (6 decimals)."""
    return Tracing.from_rows(np.round(tracing.rows(), 6))


@dataclass(frozen=True)
class VideoPlan:
    """Geometry of one clean (or fault) video."""

    seed: int
    index: int
    stream: str
    name: str
    ef_target: float
    heart: Heart
    timing: sampling.Timing
    apex: tuple[float, float]
    motion: Motion
    ed_first: bool
    _tracings: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def frames(self) -> int:
        return self.timing.frames

    def pose(self, frame: int) -> Similarity:
        return self.motion.at(frame)

    def tracing(self, frame: int) -> Tracing:
        """The LV tracing of a frame (moved with the probe, rounded as written)."""
        if frame not in self._tracings:
            lv = self.pose(frame).chamber(self.heart.lv(float(self.timing.states[frame])))
            self._tracings[frame] = round_tracing(tracing_from_contour(lv.contour(), lv.apex, lv.base_mid))
        return self._tracings[frame]

    def anatomy(self, frame: int) -> FrameAnatomy:
        """The frame's moved chambers with its tracing polygon as the LV region."""
        xs, ys = tracing_polygon(self.tracing(frame))
        return frame_anatomy(self.heart, float(self.timing.states[frame]), float(self.timing.valve[frame]),
                             self.pose(frame), np.stack([xs, ys], 1))


def _moved_ok(heart: Heart, timing: sampling.Timing, motion: Motion, ef: float) -> bool:
    tracings = []
    for frame in (timing.ed_frame, timing.es_frame):
        lv = motion.at(frame).chamber(heart.lv(float(timing.states[frame])))
        try:
            tracings.append(tracing_from_contour(lv.contour(), lv.apex, lv.base_mid))
        except ValueError:
            return False
    return tracing_checks(tracings[0], tracings[1], ef)


def draw_hypokinesis(rng: np.random.Generator, physiology: Physiology) -> tuple[float, float, float, int]:
    """A regionally hypokinetic segment (share of wall motion lost, centre, spread, side), or none."""
    present = rng.uniform() < physiology.hypokinesis
    strength, centre, spread = rng.uniform(*physiology.hypo_strength), rng.uniform(0.2, 0.85), rng.uniform(0.1, 0.25)
    side = int(rng.choice((-1, 1)))
    return (float(strength), float(centre), float(spread), side) if present else (0.0, 0.5, 0.2, 1)


def plan_video(seed: int, index: int, stream: str = "clean", min_frames: int | None = None,
               max_frames: int | None = None, physiology: str | Physiology = "train") -> VideoPlan:
    """Draw one video's geometry (deterministic in its arguments)."""
    phys = get_physiology(physiology)
    rng = sampling.video_rng(seed, index, stream)
    ef = sampling.draw_ef(rng, phys)
    heart = sample_heart(rng, ef, hypokinesis=draw_hypokinesis(rng, phys))
    fps = sampling.draw_fps(rng)
    timing = sampling.draw_timing(rng, fps, sampling.draw_frames(rng, min_frames, max_frames, phys), phys)
    apex = draw_apex(rng, Style())
    motion = Motion.still(timing.frames, apex)
    for attempt in range(MOTION_TRIES):
        candidate = draw_motion(rng, timing.frames, fps, apex, amplitude=0.75 ** attempt)
        if _moved_ok(heart, timing, candidate, ef):
            motion = candidate
            break
    ed_first = bool(rng.uniform() < ED_LISTED_FIRST)
    return VideoPlan(seed, index, stream, sampling.video_id(seed, index, stream), ef, heart, timing, apex, motion,
                     ed_first)


def appearance(plan: VideoPlan, style: str | Style = "train", shape: tuple[int, int] = (112, 112),
               training: bool = True) -> tuple[Look, Extras]:
    """The clip's Look and anatomy details from ``style`` (their own random stream); ``training`` False
    (VAL / TEST clips) renders B-mode only."""
    style = get_style(style)
    rng = sampling.video_rng(plan.seed, plan.index, plan.stream + ":look")
    look = draw_look(rng, style, shape, apex=plan.apex, training=training)
    return look, draw_extras(rng, look.trabeculae, look.papillary, look.lung, look.systolic_opening,
                             look.traced_share)
