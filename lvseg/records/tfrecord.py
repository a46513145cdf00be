"""TFRecord framing without TensorFlow: what the shard writer writes and every plain-Python reader reads.

Each record is its length (uint64, little-endian), the masked CRC32C of those 8 bytes (uint32), the data,
and the masked CRC32C of the data (uint32), as TensorFlow's record_writer.cc and Beam's tfrecordio frame
it; the mask is ((crc >> 15) | (crc << 17)) + 0xA282EAD8 modulo 2**32. CRC32C comes from google-crc32c,
installed with the Cloud Storage client (its C implementation).
"""

from __future__ import annotations

import struct
from typing import Iterator, Protocol

import google_crc32c

_MASK_DELTA = 0xA282EAD8
_HEADER = 12  # length + its CRC


class Writable(Protocol):
    """Where records are written: a binary file, or a compressing stream in front of one."""

    def write(self, data: bytes, /) -> object: ...


class Readable(Protocol):
    """Where records are read from: a binary file or a decompressing stream (gzip.GzipFile)."""

    def read(self, size: int = -1, /) -> bytes: ...


class TFRecordError(ValueError):
    """A shard whose framing is broken: truncated, or a CRC that does not match."""


def masked_crc32c(data: bytes) -> int:
    crc = google_crc32c.value(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def write_record(stream: Writable, data: bytes) -> None:
    """Append one framed record to a binary stream (one write call)."""
    length = struct.pack("<Q", len(data))
    stream.write(b"".join([length, struct.pack("<I", masked_crc32c(length)), data,
                           struct.pack("<I", masked_crc32c(data))]))


def read_records(stream: Readable) -> Iterator[bytes]:
    """Every record of a binary stream, CRC-checked; raises TFRecordError on a broken frame."""
    while True:
        header = stream.read(_HEADER)
        if not header:
            return
        if len(header) < _HEADER:
            raise TFRecordError(f"truncated record header ({len(header)} of {_HEADER} bytes)")
        length, length_crc = struct.unpack("<QI", header)
        if masked_crc32c(header[:8]) != length_crc:
            raise TFRecordError("record length does not match its CRC")
        body = stream.read(length + 4)
        if len(body) < length + 4:
            raise TFRecordError(f"truncated record ({len(body)} of {length + 4} bytes)")
        data, data_crc = body[:length], struct.unpack("<I", body[length:])[0]
        if masked_crc32c(data) != data_crc:
            raise TFRecordError("record data does not match its CRC")
        yield data
