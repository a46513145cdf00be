"""Read a scanner's DICOM cine loop (Ultrasound Multi-frame Image Storage and the like) lazily with pydicom.

Only the header is parsed up front (pixel data deferred); frames are decoded one at a time by
``pydicom.pixels.iter_pixels`` from the file, so a 1.6 GB uncompressed loop never sits in memory.
Compressed loops use pydicom's decoder plugins (pylibjpeg: JPEG baseline/extended/lossless, JPEG-LS,
JPEG 2000; RLE); a transfer syntax without an installed decoder (e.g. MPEG-4 video) is a named reject.
YBR colour comes out as RGB, palette colour through its lookup table, MONOCHROME1 inverted.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

import numpy as np
import pydicom
from pydicom.errors import InvalidDicomError
from pydicom.pixels import apply_color_lut, get_decoder, iter_pixels

from lvseg.datasets.rejects import RejectReason
from lvseg.datasets.scanner.limits import Limits
from lvseg.datasets.scanner.regions import choose_bmode, parse_regions, pixel_spacing
from lvseg.datasets.scanner.source import ClipSource, checked_fps, to_uint8
from lvseg.datasets.video import VideoError

SR_PREFIX = "1.2.840.10008.5.1.4.1.1.88."  # every Structured Report storage class
PIXEL_TAGS = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")


PREAMBLE_BYTES = 132  # a Part 10 file: a 128-byte preamble, then 'DICM'


def has_preamble(head: bytes) -> bool:
    """Whether a file's first PREAMBLE_BYTES bytes are a DICOM Part 10 file's: 'DICM' after the 128-byte preamble."""
    return head[128:PREAMBLE_BYTES] == b"DICM"


def is_dicom(path: str) -> bool:
    """A local DICOM Part 10 file (only a regular file is opened: a FIFO would block)."""
    try:
        if not os.path.isfile(path):
            return False
        with open(path, "rb") as handle:
            return has_preamble(handle.read(PREAMBLE_BYTES))
    except OSError:
        return False


def stated_fps(ds) -> tuple[float | None, str]:
    """The loop's frame rate as the header states it, and which attribute said so (None: it says nothing).

    FrameTime (ms between frames), else the mean of FrameTimeVector's intervals (its first entry is the
    0 before frame 1), else CineRate, else RecommendedDisplayFrameRate (both frames per second).
    """
    if ds.get("FrameTime") not in (None, ""):
        time_ms = float(ds.FrameTime)
        return (1000.0 / time_ms if time_ms > 0 else float("nan")), "DICOM FrameTime"
    vector = ds.get("FrameTimeVector")
    if vector not in (None, "") and len(vector) > 1:
        steps = [float(v) for v in list(vector)[1:]]
        mean = sum(steps) / len(steps)
        return (1000.0 / mean if mean > 0 else float("nan")), "DICOM FrameTimeVector"
    for name in ("CineRate", "RecommendedDisplayFrameRate"):
        if ds.get(name) not in (None, ""):
            return float(ds.get(name)), f"DICOM {name}"
    return None, "the DICOM header"


def _header(path: str):
    try:
        return pydicom.dcmread(path, defer_size="1 KB")
    except FileNotFoundError:
        raise VideoError(RejectReason.VIDEO_MISSING, "file not found") from None
    except PermissionError:
        raise VideoError(RejectReason.VIDEO_UNREADABLE, "permission denied") from None
    except (InvalidDicomError, EOFError, ValueError, KeyError, TypeError) as err:
        raise VideoError(RejectReason.VIDEO_UNDECODABLE, f"not a readable DICOM file ({err})") from None


def _check_object(ds) -> None:
    """Raise VideoError unless the object is a multi-frame image whose pixels an installed decoder reads."""
    sop = str(ds.get("SOPClassUID", ""))
    if sop.startswith(SR_PREFIX) or ds.get("Modality") == "SR":
        raise VideoError(RejectReason.DICOM_STRUCTURED_REPORT, f"SOP class {sop or '(none)'}")
    if not any(tag in ds for tag in PIXEL_TAGS):
        raise VideoError(RejectReason.DICOM_NO_PIXEL_DATA, f"SOP class {sop or '(none)'} holds no image")
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if frames < 2:
        raise VideoError(RejectReason.DICOM_NOT_A_CINE, f"{frames} frame: a still image, not a loop")
    syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    if syntax is None:
        raise VideoError(RejectReason.UNSUPPORTED_TRANSFER_SYNTAX, "no transfer syntax in the file meta")
    try:
        decoder = get_decoder(syntax)
    except NotImplementedError:
        raise VideoError(RejectReason.UNSUPPORTED_TRANSFER_SYNTAX, f"{syntax.name} ({syntax})") from None
    if not decoder.is_available:
        raise VideoError(RejectReason.UNSUPPORTED_TRANSFER_SYNTAX,
                         f"{syntax.name}: no decoder installed ({'; '.join(decoder.missing_dependencies)})")


def open_dicom(path: str, limits: Limits = Limits(), fallback_fps: float | None = None) -> ClipSource:
    """Open a DICOM cine loop: header checks, region, spacing and frame rate; frames are read later, lazily.

    Raises VideoError naming the reason: dicom_structured_report, dicom_no_pixel_data, dicom_not_a_cine,
    unsupported_transfer_syntax, frames_too_large, colour_doppler / not_b_mode (from the regions),
    no_frame_rate (``fallback_fps`` is used only where the header states no rate).
    """
    ds = _header(path)
    _check_object(ds)
    rows, columns = int(ds.Rows), int(ds.Columns)
    samples, bits = int(ds.get("SamplesPerPixel", 1)), int(ds.get("BitsAllocated", 8))
    limits.check_frame(rows, columns, samples, max(1, bits // 8))
    count = int(ds.NumberOfFrames)
    limits.check_count(count)
    choice = choose_bmode(parse_regions(ds), rows, columns)
    spacing, note = choice.spacing, choice.note
    if spacing is None:
        spacing = pixel_spacing(ds)
        note = "" if spacing is not None else (note or "the file states no pixel spacing")
    fps, origin = checked_fps(*stated_fps(ds), fallback_fps)
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2"))
    stored = int(ds.get("BitsStored", bits))
    descriptor = ds.get("RedPaletteColorLookupTableDescriptor")
    lut_bits = int(descriptor[2]) if descriptor is not None and len(descriptor) == 3 else 8

    def read(indices: Sequence[int] | None) -> Iterator[np.ndarray]:
        try:
            for frame in iter_pixels(path, indices=indices):
                if photometric == "PALETTE COLOR":
                    frame = to_uint8(apply_color_lut(frame, ds), lut_bits)
                else:
                    frame = to_uint8(frame, stored)
                    if photometric == "MONOCHROME1":
                        frame = 255 - frame
                yield frame
        except (ValueError, RuntimeError, NotImplementedError, EOFError, OSError) as err:
            raise VideoError(RejectReason.VIDEO_UNDECODABLE, f"a frame does not decode ({err})") from None

    syntax = ds.file_meta.TransferSyntaxUID
    return ClipSource(path, "dicom", rows, columns, count, fps, origin, spacing, note, choice.box, read,
                      f"DICOM {syntax.name} ({syntax}), {photometric}")
