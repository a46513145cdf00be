"""Read CAMUS apical four-chamber ED/ES frames the way the external-validation literature does.

Recipe: 4CH only; label == 1 (LV cavity) is the LV mask; the image is resized with cv2.INTER_AREA and
the mask with cv2.INTER_NEAREST straight to 112x112 (no crop, no flip, aspect ratio not kept).

Layouts (detected per patient folder, local paths only):
  2023  patientXXXX/patientXXXX_4CH_{ED,ES}.nii.gz and ..._gt.nii.gz (read with nibabel). NIfTI keeps
        x (image column) as the first array axis, so nibabel returns (columns, rows): the arrays are
        transposed to (rows, columns) here, and lvseg.synth.make_camus writes them the same way;
  2019  patientXXXX/patientXXXX_4CH_{ED,ES}[_gt].mhd + .raw, or .zraw when compressed (a minimal MetaImage
        reader below; DimSize lists x first, the data is row-major with x fastest, so it reshapes to
        (rows, cols)).
``wanted_file`` names the files the reader may open (evaluation copies just those from a gs:// root).
A patient whose files are missing, unreadable, of mismatched shapes or without any LV label is
skipped, never raised: the reason goes to the optional ``skipped`` list. Only a root that is not a
folder, or holds no patient folder at all, raises (FileNotFoundError).
"""

from __future__ import annotations

import os
import re
import zlib
from dataclasses import dataclass
from typing import Callable, Iterator

import cv2
import numpy as np

from lvseg.frame import FRAME_SHAPE

PHASES = ("ED", "ES")
LV_LABEL = 1
_PATIENT = re.compile(r"patient\d+")
_WANTED = re.compile(rf"(patient\d+)/\1_4CH_({'|'.join(PHASES)})[^/]*")
_MET_TYPES = {"MET_UCHAR": np.uint8, "MET_CHAR": np.int8, "MET_USHORT": np.uint16, "MET_SHORT": np.int16,
              "MET_UINT": np.uint32, "MET_INT": np.int32, "MET_FLOAT": np.float32, "MET_DOUBLE": np.float64}


@dataclass(frozen=True)
class CamusFrame:
    """One traced CAMUS frame at EchoNet size: image uint8 (112, 112), LV mask uint8 0/1 (112, 112)."""

    patient: str
    phase: str  # "ED" or "ES"
    image: np.ndarray
    mask: np.ndarray


@dataclass(frozen=True)
class CamusSkip:
    patient: str
    reason: str


class CamusError(ValueError):
    """A CAMUS file that cannot be used."""


def wanted_file(relative: str) -> bool:
    """Whether a file at ``relative`` ("patientXXXX/name", "/"-separated, from the root) may be read: any
    file of a patient folder named ``patientXXXX_4CH_ED...`` or ``..._4CH_ES...`` (images, labels, and
    MetaImage data files whatever their extension)."""
    return _WANTED.fullmatch(relative) is not None


def read_mhd(path: str) -> np.ndarray:
    """Array of a MetaImage (.mhd header + data file), shaped (rows, cols) for 2-D data, (z, rows, cols) for 3-D.

    Supports the element types in _MET_TYPES, little/big endian and zlib-compressed data.
    """
    header: dict[str, str] = {}
    with open(path, encoding="latin-1") as handle:
        for line in handle:
            key, sep, value = line.partition("=")
            if sep:
                header[key.strip()] = value.strip()
    try:
        dims = [int(v) for v in header["DimSize"].split()]
        dtype = np.dtype(_MET_TYPES[header["ElementType"]])
        data_file = header["ElementDataFile"]
    except (KeyError, ValueError) as err:
        raise CamusError(f"{path}: incomplete MetaImage header ({err})") from err
    if data_file == "LOCAL":
        raise CamusError(f"{path}: embedded (LOCAL) data is not supported")
    if header.get("BinaryDataByteOrderMSB", header.get("ElementByteOrderMSB", "False")).lower() == "true":
        dtype = dtype.newbyteorder(">")
    with open(os.path.join(os.path.dirname(path), data_file), "rb") as handle:
        raw = handle.read()
    if header.get("CompressedData", "False").lower() == "true":
        raw = zlib.decompress(raw)
    count = int(np.prod(dims))
    if len(raw) < count * dtype.itemsize:
        raise CamusError(f"{path}: {len(raw)} bytes of data for {dims} x {dtype.itemsize}")
    array = np.frombuffer(raw, dtype=dtype, count=count).reshape(dims[::-1])
    return array.reshape([d for d in array.shape if d != 1] or [1]) if array.ndim > 2 else array


def read_nifti(path: str) -> np.ndarray:
    """A 2-D CAMUS NIfTI as (rows, cols): nibabel's (cols, rows[, 1]) array, squeezed and transposed."""
    import nibabel as nib

    from nibabel.dataobj_images import DataobjImage

    image = nib.load(path)
    if not isinstance(image, DataobjImage):  # every NIfTI image is one; load() is typed for any format
        raise CamusError(f"{path}: not an image with voxel data")
    data = np.asarray(image.dataobj)
    data = data.reshape(data.shape[:2]) if data.ndim == 3 and data.shape[2] == 1 else data
    if data.ndim != 2:
        raise CamusError(f"{path}: expected one 2-D frame, found shape {data.shape}")
    return data.T


Reader = Callable[[str], np.ndarray]


def _find(folder: str, stem: str) -> tuple[str, Reader] | None:
    readers: tuple[tuple[str, Reader], ...] = ((".nii.gz", read_nifti), (".nii", read_nifti), (".mhd", read_mhd))
    for suffix, reader in readers:
        path = os.path.join(folder, stem + suffix)
        if os.path.exists(path):
            return path, reader
    return None


def to_uint8(image: np.ndarray) -> np.ndarray:
    if image.dtype == np.uint8:
        return image
    return np.clip(np.rint(image.astype(np.float64)), 0, 255).astype(np.uint8)


def resize_pair(image: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The literature recipe: image INTER_AREA, LV mask (label 1) INTER_NEAREST, straight to FRAME_SHAPE."""
    size = (FRAME_SHAPE[1], FRAME_SHAPE[0])  # cv2 takes (width, height)
    small = cv2.resize(to_uint8(image), size, interpolation=cv2.INTER_AREA)
    mask = cv2.resize((labels == LV_LABEL).astype(np.uint8), size, interpolation=cv2.INTER_NEAREST)
    return small, mask


def load_patient(folder: str) -> list[CamusFrame]:
    """The patient's 4CH ED and ES frames; raises CamusError naming what is wrong."""
    patient = os.path.basename(os.path.normpath(folder))
    frames = []
    for phase in PHASES:
        stem = f"{patient}_4CH_{phase}"
        found, found_gt = _find(folder, stem), _find(folder, stem + "_gt")
        if found is None or found_gt is None:
            missing = stem if found is None else stem + "_gt"
            raise CamusError(f"missing {missing} (.nii.gz, .nii or .mhd)")
        try:
            image, labels = found[1](found[0]), found_gt[1](found_gt[0])
        except (OSError, EOFError, zlib.error) as err:
            raise CamusError(f"unreadable {stem}: {err}") from err
        except Exception as err:  # nibabel raises its own error types for corrupt files
            if isinstance(err, CamusError):
                raise
            raise CamusError(f"unreadable {stem}: {type(err).__name__}: {err}") from err
        if image.ndim != 2 or image.shape != labels.shape:
            raise CamusError(f"{stem}: image {image.shape} and labels {labels.shape} differ")
        if not (labels == LV_LABEL).any():
            raise CamusError(f"{stem}: no LV (label 1) pixel")
        small, mask = resize_pair(image, labels)
        frames.append(CamusFrame(patient, phase, small, mask))
    return frames


def iter_camus(root: str, skipped: list[CamusSkip] | None = None) -> Iterator[CamusFrame]:
    """Every usable patient's 4CH ED then ES frame, patients in name order; bad patients go to ``skipped``."""
    if not os.path.isdir(root):
        raise FileNotFoundError(f"CAMUS root {root!r} is not a folder")
    patients = sorted(p for p in os.listdir(root) if _PATIENT.fullmatch(p) and os.path.isdir(os.path.join(root, p)))
    if not patients:
        raise FileNotFoundError(f"no patientXXXX folder under {root!r}")
    for patient in patients:
        try:
            frames = load_patient(os.path.join(root, patient))
        except CamusError as err:
            if skipped is not None:
                skipped.append(CamusSkip(patient, str(err)))
            continue
        yield from frames
