"""``--save-masks``: every frame's mask of every analysed video, compactly, and an overlay video to watch.

OUT/masks/<model>__<video>.npz   numpy's compressed archive (``np.load``):
    masks         bool (T, 112, 112), the model's mask of every frame in the EchoNet frame
    ok            bool (T,), False where the model found no usable LV (its mask is then empty)
    fps           the frame rate the analysis used
    and, for scanner input (DICOM, screen recordings, stills), the mapping back to the original frames:
    source_shape  (rows, columns) of the original frame
    crop          (x0, y0, side): the square of original pixels the 112x112 frame was made from
    mm_per_pixel  size of one 112-px pixel in mm (NaN where the file states no spacing)
    To draw frame t's mask on the original frame: resize ``masks[t]`` to side x side (bilinear, >= 0.5)
    and place it at (x0, y0), cutting what leaves the frame (lvseg.datasets.scanner.framing.EchoNetFrame.
    to_original does exactly this).
OUT/masks/<model>__<video>.avi   MJPEG, every frame enlarged x OVERLAY_SCALE with the predicted contour
    (lvseg.report.overlay) and the running EF a device would show (lvseg.analysis.video.running_ef).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence

import cv2
import numpy as np

from lvseg import storage
from lvseg.analysis.video import VideoAnalysis, running_ef
from lvseg.datasets.scanner.clip_input import AnalysisClip
from lvseg.inference.decode import Segmentation
from lvseg.report.overlay import PRED_COLOUR, draw_contours

MASK_DIR = "masks"
OVERLAY_SCALE = 2
WHITE = (255, 255, 255)


def ef_captions(volumes: Sequence[float] | np.ndarray, fps: float) -> list[str]:
    """The caption of each frame: the running EF a device would show once that frame is in ("EF --" before)."""
    return [f"EF {ef:.0f}%" if ef is not None else "EF --" for ef in running_ef(volumes, fps)]


def mask_archive(clip: AnalysisClip, segmentations: Sequence[Segmentation]) -> bytes:
    """The .npz bytes of one video's masks (see the module docstring)."""
    masks = np.stack([np.asarray(s.mask) != 0 for s in segmentations]) if segmentations else \
        np.zeros((0, *clip.frames.shape[1:]), bool)
    arrays: dict[str, np.ndarray] = {"masks": masks, "ok": np.array([s.ok for s in segmentations], bool),
                                     "fps": np.array(clip.fps)}
    if clip.mapping is not None:
        mm = clip.mapping.mm_per_pixel
        arrays.update(source_shape=np.array(clip.mapping.source_shape), crop=np.array(clip.mapping.crop),
                      mm_per_pixel=np.array(np.nan if mm is None else mm))
    buffer = io.BytesIO()
    # numpy's stub types **kwds as its bool allow_pickle parameter: the arrays are what it takes.
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def overlay_video(frames: np.ndarray, segmentations: Sequence[Segmentation], captions: Sequence[str],
                  fps: float) -> bytes:
    """MJPEG AVI bytes: each frame x OVERLAY_SCALE with its predicted contour and caption (OpenCV writes files,
    so a temporary one is used)."""
    side = frames.shape[1] * OVERLAY_SCALE, frames.shape[2] * OVERLAY_SCALE
    handle, path = tempfile.mkstemp(suffix=".avi")
    os.close(handle)
    try:
        writer = cv2.VideoWriter(path, cv2.VideoWriter.fourcc(*"MJPG"), float(fps), (side[1], side[0]), True)
        try:
            for frame, seg, caption in zip(frames, segmentations, captions):
                mask = seg.mask if seg.ok else None
                rgb = draw_contours(frame, [(mask, PRED_COLOUR)], OVERLAY_SCALE)
                cv2.putText(rgb, caption, (3, 12 * OVERLAY_SCALE), cv2.FONT_HERSHEY_PLAIN, 0.6 * OVERLAY_SCALE, WHITE,
                            1, cv2.LINE_AA)
                writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        finally:
            writer.release()
        with open(path, "rb") as handle_in:
            return handle_in.read()
    finally:
        os.unlink(path)


def output_name(model: str, video_id: str) -> str:
    """The file stem of one video's outputs by one model: its masks, overlay video and report GIF."""
    return f"{model}__{video_id}"


def write_masks(folder: str, model: str, video_id: str, clip: AnalysisClip, segmentations: Sequence[Segmentation],
                analysis: VideoAnalysis) -> None:
    """Write ``<model>__<video>.npz`` and ``.avi`` under ``folder`` (local or gs://)."""
    stem = storage.join(folder, output_name(model, video_id))
    storage.write_bytes(stem + ".npz", mask_archive(clip, segmentations))
    captions = ef_captions(analysis.volumes, clip.fps)
    storage.write_bytes(stem + ".avi", overlay_video(clip.frames, segmentations, captions, clip.fps))
