"""How many frames of an MJPEG AVI are really there, read from the container rather than from the decoder.

FFmpeg's MJPEG decoder (inside OpenCV) still returns a frame when the file ends inside it, with the
missing rows filled with garbage; such a frame must never become a labelled training image. So the AVI's
own structure is read: a RIFF 'AVI ' file whose LIST 'movi' holds one chunk per frame ('00dc'), each a
whole JPEG from its SOI marker (FF D8) to its EOI marker (FF D9). A frame counts only when its chunk lies
entirely inside the file and its JPEG is whole; counting stops at the first frame that is not. OpenDML's
extra 'AVIX' RIFF lists (files over 1 GB) are followed too. Frames of other codecs OpenCV decodes (XVID,
FFV1...) count when their chunk is whole. ``read_header`` gives the stream's size, length, rate and codec,
so a video can be judged before it is decoded.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

_SOI, _EOI = b"\xff\xd8", b"\xff\xd9"
_HEADER = 8  # chunk id + little-endian uint32 size
MJPEG_CODECS = ("MJPG", "AVRN", "JPEG")  # codes writers use for a stream of whole JPEG frames


@dataclass(frozen=True)
class AviHeader:
    """What an AVI's header says about its video stream, read before any frame is decoded."""

    width: int
    height: int
    frames: int          # the stream's length (strh dwLength; avih dwTotalFrames when that is 0)
    fps: float | None    # dwRate / dwScale; None when either is 0
    codec: str           # fourcc of the stream's compression, e.g. "MJPG"

    @property
    def mjpeg(self) -> bool:
        return self.codec.upper() in MJPEG_CODECS


def read_header(data: bytes) -> AviHeader | None:
    """The video stream's header of AVI bytes; None when they are not an AVI with a readable one."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"AVI ":
        return None
    end = min(len(data), _HEADER + (_size(data, 0) or len(data)))
    hdrl = _find_list(data, 12, end, b"hdrl")
    if hdrl is None:
        return None
    start, stop = hdrl[0], min(hdrl[1], len(data))
    avih = _find_chunk(data, start, stop, b"avih")
    total = struct.unpack_from("<I", data, avih + 16)[0] if avih is not None and avih + 40 <= stop else 0
    offset = start
    while True:
        strl = _find_list(data, offset, stop, b"strl")
        if strl is None:
            return None
        strh = _find_chunk(data, strl[0], min(strl[1], stop), b"strh")
        if strh is not None and strh + 36 <= stop and data[strh:strh + 4] == b"vids":
            break
        offset = strl[1] + (strl[1] & 1)
    handler = data[strh + 4:strh + 8]
    scale, rate, _, length = struct.unpack_from("<IIII", data, strh + 20)
    strf = _find_chunk(data, strl[0], min(strl[1], stop), b"strf")
    if strf is None or strf + 20 > stop:
        return None
    width, height = struct.unpack_from("<ii", data, strf + 4)
    compression = data[strf + 16:strf + 20]
    codec = (compression if compression.strip(b"\x00") else handler).decode("latin-1").strip("\x00 ")
    return AviHeader(abs(width), abs(height), length or total, rate / scale if rate and scale else None, codec)


def _find_chunk(data: bytes, start: int, end: int, kind: bytes) -> int | None:
    """Offset of the body of the first chunk ``kind`` among the chunks in [start, end), or None."""
    offset = start
    while offset + _HEADER <= end:
        size = _size(data, offset)
        if data[offset:offset + 4] == kind:
            return offset + _HEADER
        offset += _HEADER + size + (size & 1)
    return None


def complete_frames(data: bytes) -> int | None:
    """Frames whose chunk lies whole in the file (and, for MJPEG, whose JPEG is whole), in file order;
    None when ``data`` is not an AVI lvseg can check."""
    header = read_header(data)
    if header is None and (len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"AVI "):
        return None
    jpeg = header is None or header.mjpeg
    frames, offset, found_movi = 0, 0, False
    while offset + 12 <= len(data) and data[offset:offset + 4] == b"RIFF":
        end = min(len(data), offset + _HEADER + (_size(data, offset) or len(data)))  # 0: never finalized
        movi = _find_list(data, offset + 12, end, b"movi")
        if movi is not None:
            found_movi = True
            count, whole = _count_frames(data, *movi, jpeg)
            frames += count
            if not whole:
                return frames
        offset = offset + _HEADER + _size(data, offset)
        offset += offset & 1
    return frames if found_movi else None


def _size(data: bytes, offset: int) -> int:
    return struct.unpack_from("<I", data, offset + 4)[0]


def _find_list(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    """(first sub-chunk, end) of the LIST ``kind`` among the chunks in [start, end), or None."""
    offset = start
    while offset + 12 <= end:
        size = _size(data, offset)
        if data[offset:offset + 4] == b"LIST" and data[offset + 8:offset + 12] == kind:
            # The end may lie past a truncated file's end; a size of 0 means a writer that never finished.
            return offset + 12, offset + _HEADER + size if size else len(data)
        offset += _HEADER + size + (size & 1)
    return None


def _count_frames(data: bytes, start: int, end: int, jpeg: bool = True) -> tuple[int, bool]:
    """(whole video frames in a movi list, whether the list itself is whole); ``jpeg``: a frame must
    also be a whole JPEG (other codecs' frames cannot be checked inside)."""
    frames, offset = 0, start
    while offset < end:
        if offset + _HEADER > len(data):
            return frames, False
        chunk, size = data[offset:offset + 4], _size(data, offset)
        body = offset + _HEADER
        if chunk == b"LIST":  # 'rec ' groups: their chunks are counted in place
            offset = body + 4
            continue
        if chunk[2:] in (b"dc", b"db") and chunk[:2].isdigit() and size:  # an empty chunk is a dropped frame
            if body + size > len(data) or jpeg and not _whole_jpeg(data[body:body + size]):
                return frames, False
            frames += 1
        offset = body + size + (size & 1)
    return frames, end <= len(data)


def _whole_jpeg(jpeg: bytes) -> bool:
    """SOI at the start and EOI at the end; encoders may pad a chunk with zero bytes after EOI."""
    return jpeg.startswith(_SOI) and jpeg.rstrip(b"\x00").endswith(_EOI)
