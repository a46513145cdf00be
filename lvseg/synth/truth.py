"""Per-frame ground truth of a clean synthetic video: the LV's state, tracing, official mask and disk volume.

``video_truth(seed, index, min_frames=..., max_frames=...)`` replays the video's geometry plan
(lvseg.synth.plan; no rendering) with the same arguments ``generate_echonet`` was given, so tests and
the video-analysis stage can build oracle segmentations with a known volume curve. At the two traced
frames the tracings are exactly the rows of VolumeTracings.csv and the volumes the FileList EDV / ESV.
``lvseg synth echonet --truth`` also writes them as FrameVolumes.csv:
    FileName,Frame,Volume,Area
FileName as in FileList.csv (no .avi), Frame 0-based, Volume in mL (method of disks, 1.25 mm/px, on the
written 6-decimal tracing), Area = official-mask pixels; and Beats.csv, every whole beat (ED and ES inside the
clip, or an edge frame within WHOLE_EDGE of the stroke of their level: lvseg.synth.sampling), in order:
    FileName,Beat,EDFrame,ESFrame,EDV,ESV,EF,Ectopic,Rhythm
(an ectopic beat is 1 in Ectopic; Rhythm is sinus, afib or ectopic, the same on every row of a video). Masks are ``lvseg.geometry.tracing_mask`` of
the frame's tracing; ``labels(frame)`` gives the frame's full anatomy label map (lvseg.synth.labels).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from lvseg.geometry.mask import Tracing, disk_volume, tracing_mask
from lvseg.synth.clips import MM_PER_PIXEL, fmt, write_csv
from lvseg.synth.labels import label_map
from lvseg.synth.physiology import Physiology
from lvseg.synth.plan import VideoPlan, appearance, plan_video
from lvseg.synth.style import Style

COLUMNS = ["FileName", "Frame", "Volume", "Area"]
BEAT_COLUMNS = ["FileName", "Beat", "EDFrame", "ESFrame", "EDV", "ESV", "EF", "Ectopic", "Rhythm"]


@dataclass(frozen=True)
class VideoTruth:
    """The LV of every frame of one video."""

    plan: VideoPlan

    @property
    def name(self) -> str:
        return self.plan.name

    @property
    def ed_frame(self) -> int:
        return self.plan.timing.ed_frame

    @property
    def es_frame(self) -> int:
        return self.plan.timing.es_frame

    @property
    def states(self) -> np.ndarray:
        """LV state per frame (1 = end-diastole, 0 = end-systole)."""
        return self.plan.timing.states

    @cached_property
    def tracings(self) -> list[Tracing]:
        return [self.plan.tracing(t) for t in range(self.plan.frames)]

    @cached_property
    def volumes(self) -> np.ndarray:
        """mL per frame (method of disks)."""
        return np.array([disk_volume(t, MM_PER_PIXEL) for t in self.tracings])

    def mask(self, frame: int) -> np.ndarray:
        """The official uint8 mask of the frame's tracing."""
        return tracing_mask(self.tracings[frame])

    def masks(self) -> np.ndarray:
        return np.stack([self.mask(t) for t in range(self.plan.frames)])

    def labels(self, frame: int, style: str | Style = "train") -> np.ndarray:
        """The frame's anatomy label map on the 112x112 grid (trabeculae etc. depend on the style)."""
        _, extras = appearance(self.plan, style)
        return label_map(self.plan.anatomy(frame), extras, (112, 112), 1)


def video_truth(seed: int, index: int, stream: str = "clean", min_frames: int | None = None,
                max_frames: int | None = None, physiology: str | Physiology = "train") -> VideoTruth:
    """Truth of video ``index`` of a dataset generated with this seed, frame bounds and physiology."""
    return VideoTruth(plan_video(seed, index, stream, min_frames, max_frames, physiology))


def truth_rows(truth: VideoTruth) -> list[list[str]]:
    """FrameVolumes.csv rows of one video."""
    return [[truth.name, str(t), fmt(v), str(int(truth.mask(t).sum()))] for t, v in enumerate(truth.volumes)]


def beat_rows(truth: VideoTruth) -> list[list[str]]:
    """Beats.csv rows of one video (volumes from the frames' tracings, as FileList's EDV and ESV)."""
    volumes, rows = truth.volumes, []
    for number, beat in enumerate(truth.plan.timing.beats):
        edv, esv = volumes[beat.ed_frame], volumes[beat.es_frame]
        rows.append([truth.name, str(number), str(beat.ed_frame), str(beat.es_frame), fmt(edv), fmt(esv),
                     fmt((edv - esv) / edv * 100.0), str(int(beat.ectopic)), truth.plan.timing.rhythm])
    return rows


def write_truth(out: str, frame_rows: list[list[str]], beats: list[list[str]]) -> tuple[str, str]:
    """FrameVolumes.csv and Beats.csv under ``out``."""
    paths = os.path.join(out, "FrameVolumes.csv"), os.path.join(out, "Beats.csv")
    write_csv(paths[0], COLUMNS, frame_rows)
    write_csv(paths[1], BEAT_COLUMNS, beats)
    return paths
