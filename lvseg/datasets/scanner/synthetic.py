"""Synthetic scanner exports for tests and benchmarks: an EchoNet-size clip shown on a scanner's screen.

A 112x112 clip (e.g. lvseg.synth) is enlarged with cubic interpolation into a square of a larger screen
(640x480 by default) beside burned-in text, a sweeping ECG trace, depth-scale dots and a coloured marker,
as scanners export them; ``write_us_dicom`` stores such frames as an Ultrasound Multi-frame Image object
the way scanners write them (native, JPEG baseline incl. YBR_FULL_422, RLE or JPEG 2000 pixel data, an
ultrasound region with its spacing, FrameTime).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import (ExplicitVRLittleEndian, JPEG2000Lossless, JPEGBaseline8Bit, RLELossless, UID,
                         generate_uid)

US_MULTIFRAME = UID("1.2.840.10008.5.1.4.1.1.3.1")
GREEN = (40, 200, 90)


@dataclass(frozen=True)
class Screen:
    """Where the clip sits on the screen: a ``side`` x ``side`` square at (x0, y0) of a width x height frame."""

    width: int = 640
    height: int = 480
    side: int = 392
    x0: int = 150
    y0: int = 40

    def mm_per_screen_pixel(self, mm_per_clip_pixel: float, clip_side: int = 112) -> float:
        return mm_per_clip_pixel * clip_side / self.side


def screen_frame(frame: np.ndarray, index: int, screen: Screen = Screen(), colour: bool = False) -> np.ndarray:
    """One screen frame: ``frame`` (grey, square) enlarged into the screen with overlays around it.

    Grey (H, W) uint8, or RGB (H, W, 3) with a coloured marker when ``colour``.
    """
    out = np.zeros((screen.height, screen.width, 3), np.uint8)
    big = cv2.resize(frame, (screen.side, screen.side), interpolation=cv2.INTER_CUBIC)
    out[screen.y0:screen.y0 + screen.side, screen.x0:screen.x0 + screen.side] = big[..., None]
    white = (230, 230, 230)
    cv2.putText(out, "lvseg 4C", (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.6, white, 1, cv2.LINE_AA)
    cv2.putText(out, "MI 1.1  TIS 0.4", (screen.width - 170, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.5, white, 1)
    cv2.putText(out, f"{index:04d}", (8, screen.height - 60), cv2.FONT_HERSHEY_SIMPLEX, 0.5, white, 1)
    for depth in range(0, screen.side, screen.side // 8):  # depth scale beside the square
        cv2.circle(out, (screen.x0 + screen.side + 10, screen.y0 + depth), 2, white, -1)
    ecg_y = screen.y0 + screen.side + 22
    xs = np.arange(screen.width)
    phase = (xs + 7 * index) % 120
    trace = ecg_y - 14 * np.exp(-((phase - 60) / 3.0) ** 2) + 3 * np.sin(xs / 17.0)
    points = np.stack([xs, trace], 1).astype(np.int32)[: (index * 11) % screen.width + 40]
    cv2.polylines(out, [points], False, (80, 220, 80) if colour else white, 2)
    if colour:
        cv2.circle(out, (screen.x0 + screen.side // 2 + 40, screen.y0 + 10), 6, GREEN, -1)
        return out
    return out[..., 0].copy()


def add_colour_flow(frame_rgb: np.ndarray, screen: Screen, index: int) -> np.ndarray:
    """Red and blue flow blobs painted inside the clip's square, as a colour-Doppler loop shows them."""
    out = frame_rgb.copy()
    cx, cy = screen.x0 + screen.side // 2, screen.y0 + screen.side // 2
    shift = int(10 * np.sin(index / 3.0))
    cv2.ellipse(out, (cx - 30 + shift, cy), (40, 70), 10, 0, 360, (220, 30, 20), -1)
    cv2.ellipse(out, (cx + 40, cy + 20 - shift), (30, 60), -10, 0, 360, (20, 60, 230), -1)
    return out


def _dataset(first: np.ndarray, frames: int, fps: float | None, spacing_cm: float | None,
             region: tuple[int, int, int, int] | None, data_type: int) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = US_MULTIFRAME
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID, ds.SOPInstanceUID = US_MULTIFRAME, ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.Manufacturer = "US", "lvseg synthetic"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.Rows, ds.Columns = first.shape[:2]
    ds.SamplesPerPixel = 3 if first.ndim == 3 else 1
    ds.PhotometricInterpretation = "RGB" if first.ndim == 3 else "MONOCHROME2"
    if first.ndim == 3:
        ds.PlanarConfiguration = 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.NumberOfFrames = frames
    if fps is not None:
        ds.FrameTime = f"{1000.0 / fps:.3f}"
        ds.FrameIncrementPointer = pydicom.tag.Tag("FrameTime")
    if region is not None:
        item = Dataset()
        item.RegionSpatialFormat, item.RegionDataType, item.RegionFlags = 1, data_type, 2
        item.RegionLocationMinX0, item.RegionLocationMinY0 = region[0], region[1]
        item.RegionLocationMaxX1, item.RegionLocationMaxY1 = region[2] - 1, region[3] - 1
        if spacing_cm is not None:
            item.PhysicalUnitsXDirection = item.PhysicalUnitsYDirection = 3
            item.PhysicalDeltaX = item.PhysicalDeltaY = float(spacing_cm)
        ds.SequenceOfUltrasoundRegions = [item]
    return ds


def write_us_dicom(path: str, frames: Iterable[np.ndarray], count: int, syntax: UID = JPEGBaseline8Bit,
                   fps: float | None = 50.0, spacing_cm: float | None = None,
                   region: tuple[int, int, int, int] | None = None, data_type: int = 1, quality: int = 90) -> None:
    """Write uint8 frames ((H, W) grey or (H, W, 3) RGB) as an Ultrasound Multi-frame Image DICOM file.

    JPEG baseline frames are compressed by OpenCV, colour ones as YBR_FULL_422 (4:2:2 chroma, as scanners
    store them); RLE and JPEG 2000 by pydicom's encoders. ``region`` is the B-mode region (x0, y0, x1, y1,
    exclusive ends), ``data_type`` its RegionDataType (1 tissue, 2 colour flow).
    """
    frames = iter(frames)
    first = next(frames)
    ds = _dataset(first, count, fps, spacing_cm, region, data_type)
    if syntax == JPEGBaseline8Bit:
        params = [cv2.IMWRITE_JPEG_QUALITY, quality]
        if first.ndim == 3:
            params += [cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422]
            ds.PhotometricInterpretation = "YBR_FULL_422"
        encoded = [cv2.imencode(".jpg", cv2.cvtColor(f, cv2.COLOR_RGB2BGR) if f.ndim == 3 else f, params)[1].tobytes()
                   for f in itertools.chain([first], frames)]
        ds.PixelData = encapsulate(encoded)
        ds["PixelData"].VR = "OB"
        ds.LossyImageCompression = "01"
        ds.file_meta.TransferSyntaxUID = syntax
    else:
        everything = [first, *frames]
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.PixelData = np.stack(everything).tobytes()
        if syntax in (RLELossless, JPEG2000Lossless):
            ds.compress(syntax, np.stack(everything))
        elif syntax != ExplicitVRLittleEndian:
            ds.file_meta.TransferSyntaxUID = syntax  # declared only: for unsupported-syntax tests
    ds.save_as(path, enforce_file_format=True)
