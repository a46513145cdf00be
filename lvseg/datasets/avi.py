"""How many frames of an MJPEG AVI are really there, read from the container rather than from the decoder.

FFmpeg's MJPEG decoder (inside OpenCV) still returns a frame when the file ends inside it, with the
missing rows filled with garbage; such a frame must never become a labelled training image. So the AVI's
own structure is read: a RIFF 'AVI ' file whose LIST 'movi' holds one chunk per frame ('00dc'), each a
whole JPEG from its SOI marker (FF D8) to its EOI marker (FF D9). A frame counts only when its chunk lies
entirely inside the file and its JPEG is whole; counting stops at the first frame that is not. OpenDML's
extra 'AVIX' RIFF lists (files over 1 GB) are followed too.
"""

from __future__ import annotations

import struct

_SOI, _EOI = b"\xff\xd8", b"\xff\xd9"
_HEADER = 8  # chunk id + little-endian uint32 size


def complete_frames(data: bytes) -> int | None:
    """Frames whose JPEG chunk is whole, in file order; None when ``data`` is not an MJPEG AVI lvseg can check."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"AVI ":
        return None
    frames, offset, found_movi = 0, 0, False
    while offset + 12 <= len(data) and data[offset:offset + 4] == b"RIFF":
        end = min(len(data), offset + _HEADER + (_size(data, offset) or len(data)))  # 0: never finalized
        movi = _find_list(data, offset + 12, end, b"movi")
        if movi is not None:
            found_movi = True
            count, whole = _count_frames(data, *movi)
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


def _count_frames(data: bytes, start: int, end: int) -> tuple[int, bool]:
    """(whole video frames in a movi list, whether the list itself is whole)."""
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
            if body + size > len(data) or not _whole_jpeg(data[body:body + size]):
                return frames, False
            frames += 1
        offset = body + size + (size & 1)
    return frames, end <= len(data)


def _whole_jpeg(jpeg: bytes) -> bool:
    """SOI at the start and EOI at the end; encoders may pad a chunk with zero bytes after EOI."""
    return jpeg.startswith(_SOI) and jpeg.rstrip(b"\x00").endswith(_EOI)
