"""An EchoVideo to its serialized records: one frame Example per traced frame, one video Example.

The conversion lives here, not in the Beam job, so every producer of records (the pipeline, tests,
benchmarks) makes byte-identical Examples from the same video.
"""

from __future__ import annotations

from lvseg.datasets.echonet import EchoVideo
from lvseg.geometry.base import base_line
from lvseg.geometry.heatmaps import quantize_heatmaps, render_heatmaps
from lvseg.geometry.landmarks import landmarks
from lvseg.inference.declutter import video_floor
from lvseg.records import schema


def frame_examples(video: EchoVideo, scheme: str, sigma: float) -> list[bytes]:
    """Serialized frame Examples for the ED and ES frames (in that order)."""
    out, floor = [], video_floor(video.frames, video.meta.fps)
    for traced in video.traced:
        points = landmarks(traced.tracing, scheme)
        out.append(schema.encode_frame(
            video_id=video.video_id, split=video.meta.split, phase=traced.phase, frame_index=traced.index,
            ef=video.meta.ef, edv=video.meta.edv, esv=video.meta.esv,
            image=video.frames[traced.index], mask=traced.mask,
            landmark_scheme=scheme, landmarks=points, heatmap_sigma=sigma,
            heatmaps=quantize_heatmaps(render_heatmaps(points, video.frames.shape[1:], sigma)),
            base=base_line(traced.tracing), clutter_floor=floor))
    return out


def video_example(video: EchoVideo) -> bytes:
    """Serialized whole-video Example with its ED/ES indices and masks."""
    return schema.encode_video(
        video_id=video.video_id, split=video.meta.split, fps=video.meta.fps, ef=video.meta.ef,
        edv=video.meta.edv, esv=video.meta.esv, video=video.source, frame_shape=video.frames.shape,
        traced_frames=(video.ed.index, video.es.index), ed_mask=video.ed.mask, es_mask=video.es.mask)
