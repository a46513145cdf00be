"""Why an input video was not written: one stable string name per reason.

The names appear in rejected.jsonl, manifest.json, Beam counters and the synthetic fault sidecar;
never rename one (add a new one instead).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from enum import Enum


class RejectReason(str, Enum):
    """Stable reject names.

    Every reason a portable dataset folder can cause has a synthetic fault that triggers it
    (lvseg.synth.faults). Not-a-file, outside-the-folder and unreadable videos need file-system entries
    that do not survive a copy to Cloud Storage (directories named .avi, FIFOs, symlinks, permissions), so
    tests build those by hand; RECORD_BUILD_FAILED has no known input at all.
    """

    MALFORMED_ROW = "malformed_row"                      # a CSV line that does not parse (encoding, quote, fields)
    UNSAFE_FILENAME = "unsafe_filename"                  # FileName would leave the dataset folder
    DUPLICATE_FILELIST_ROW = "duplicate_filelist_row"    # a later FileList row repeats a FileName
    INVALID_METADATA = "invalid_metadata"                # unparsable or impossible FileList values (EF > 100...)
    UNSUPPORTED_FRAME_SIZE = "unsupported_frame_size"    # not 112x112 (FileList or the video itself)
    MISSING_TRACINGS = "missing_tracings"                # FileList row without any tracing
    ORPHAN_TRACINGS = "orphan_tracings"                  # tracings without a FileList row
    DUPLICATE_TRACING_ROWS = "duplicate_tracing_rows"    # identical rows repeated within a traced frame
    TOO_FEW_TRACED_FRAMES = "too_few_traced_frames"      # fewer than 2 traced frames
    TOO_MANY_TRACED_FRAMES = "too_many_traced_frames"    # more than 2 traced frames (ED/ES ambiguous)
    BAD_ROW_COUNT = "bad_row_count"                      # a traced frame with other than 21 rows
    BAD_COORDINATES = "bad_coordinates"                  # NaN, negative, out-of-frame or unparsable
    DEGENERATE_POLYGON = "degenerate_polygon"            # zero-area polygon or empty mask
    FRAME_OUT_OF_RANGE = "frame_out_of_range"            # traced frame index beyond the video
    VIDEO_MISSING = "video_missing"
    VIDEO_NOT_A_FILE = "video_not_a_file"                # a directory, FIFO, device or socket in Videos/
    VIDEO_OUTSIDE_DATASET = "video_outside_dataset"      # a symlink in Videos/ that leads out of the folder
    VIDEO_UNREADABLE = "video_unreadable"                # permission denied
    VIDEO_EMPTY = "video_empty"                          # zero-byte file
    VIDEO_UNDECODABLE = "video_undecodable"              # OpenCV cannot read a single frame
    VIDEO_TRUNCATED = "video_truncated"                  # fewer complete frames than NumberOfFrames
    # Not caused by a known kind of bad input: the video passed every check but its records could not be
    # built (a geometry the landmark code cannot handle, or a bug). The traceback is in the job's log.
    RECORD_BUILD_FAILED = "record_build_failed"

    # Scanner exports (DICOM cine loops, screen recordings): lvseg.datasets.scanner.
    DICOM_NO_PIXEL_DATA = "dicom_no_pixel_data"          # a DICOM object without an image
    DICOM_NOT_A_CINE = "dicom_not_a_cine"                # a single-frame DICOM image, not a loop
    DICOM_STRUCTURED_REPORT = "dicom_structured_report"  # a measurement report, not an image
    UNSUPPORTED_TRANSFER_SYNTAX = "unsupported_transfer_syntax"  # no installed decoder for its compression
    COLOUR_DOPPLER = "colour_doppler"                    # colour flow over the sector (or a colour-flow region)
    NOT_B_MODE = "not_b_mode"                            # only M-mode / spectral Doppler / waveform regions
    NO_SECTOR_FOUND = "no_sector_found"                  # no fan-shaped scan sector in the pixels
    NO_FRAME_RATE = "no_frame_rate"                      # the file states no usable frame rate and none was given
    FRAMES_TOO_LARGE = "frames_too_large"                # frame size or count beyond the reader's limits

    # Video lists and containers (plain folders, any AVI): lvseg.datasets.video_plan, lvseg.datasets.video.
    DUPLICATE_VIDEO_NAME = "duplicate_video_name"        # two files whose ids differ only in case or extension
    NOT_A_VIDEO = "not_a_video"                          # a file in a video folder that is not an .avi
    UNSUPPORTED_CODEC = "unsupported_codec"              # an AVI whose codec OpenCV decodes no frame of

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Reject:
    """A rejected input video (by FileName only: never any patient data) and why."""

    video_id: str
    reason: RejectReason
    detail: str = ""

    def to_json(self) -> dict:
        return {"video_id": self.video_id, "reason": self.reason.value, "detail": self.detail}


def rejects_jsonl(rejects: list[dict]) -> str:
    """rejected.jsonl: one JSON object per reject (Reject.to_json), sorted, so reruns give the same file."""
    ordered = sorted(rejects, key=lambda r: (r["video_id"], r["reason"], r["detail"]))
    return "".join(json.dumps(r, sort_keys=True) + "\n" for r in ordered)


def reason_counts(rejects: list[dict]) -> dict[str, int]:
    """{reason: how many}, sorted by reason, as manifests and summaries report it."""
    return dict(sorted(Counter(r["reason"] for r in rejects).items()))
