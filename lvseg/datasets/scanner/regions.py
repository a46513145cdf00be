"""A DICOM ultrasound loop's Sequence of Ultrasound Regions: which part of the screen is the B-mode image,
how big its pixels are, and whether colour flow or only Doppler / M-mode traces are shown.

DICOM PS3.3 C.8.5.5: RegionSpatialFormat 1 is a 2D image (2 M-mode, 3 spectral, 4 waveform, 5 graphics);
RegionDataType 1 is tissue, 2 colour flow, 3-9 Doppler and volume traces, 10-18 ECG and other traces,
bars and areas. PhysicalUnits 3 is cm. A region whose bounds do not fit the frame (an export that was
resized after the header was written) is not trusted: neither its bounds nor its spacing are used.
"""

from __future__ import annotations

from dataclasses import dataclass

from lvseg.datasets.rejects import RejectReason
from lvseg.datasets.scanner.source import Spacing
from lvseg.datasets.video import VideoError

SPATIAL_2D = 1
TISSUE = 1
COLOUR_FLOW = 2
DOPPLER_OR_MMODE = {2: "M-mode", 3: "spectral Doppler"}  # spatial formats of traces, not images
UNITS_CM = 3
ANISOTROPY = 0.02  # relative x/y spacing difference still called square pixels


@dataclass(frozen=True)
class Region:
    """One item of the sequence: its format, data type, bounds (x0, y0, x1, y1, exclusive) and spacing."""

    spatial_format: int
    data_type: int
    box: tuple[int, int, int, int]
    delta_cm: tuple[float, float] | None  # (x, y) cm per pixel where the units are cm

    @property
    def area(self) -> int:
        return max(0, self.box[2] - self.box[0]) * max(0, self.box[3] - self.box[1])


@dataclass(frozen=True)
class RegionChoice:
    """The B-mode region to use (None: the file states none, or none that fits) and its spacing."""

    box: tuple[int, int, int, int] | None
    spacing: Spacing | None
    note: str


def parse_regions(ds) -> list[Region]:
    """Every item of SequenceOfUltrasoundRegions (empty where the file has none)."""
    regions = []
    for item in ds.get("SequenceOfUltrasoundRegions", []) or []:
        box = tuple(int(item.get(k, 0) or 0) for k in ("RegionLocationMinX0", "RegionLocationMinY0",
                                                       "RegionLocationMaxX1", "RegionLocationMaxY1"))
        units = (item.get("PhysicalUnitsXDirection"), item.get("PhysicalUnitsYDirection"))
        deltas = (item.get("PhysicalDeltaX"), item.get("PhysicalDeltaY"))
        delta = None
        if units == (UNITS_CM, UNITS_CM) and all(d is not None and float(d) > 0 for d in deltas):
            delta = (float(deltas[0]), float(deltas[1]))
        # DICOM's Max X1/Y1 are the last pixel inside the region: +1 for an exclusive end.
        regions.append(Region(int(item.get("RegionSpatialFormat", 0) or 0), int(item.get("RegionDataType", 0) or 0),
                              (box[0], box[1], box[2] + 1, box[3] + 1), delta))
    return regions


def choose_bmode(regions: list[Region], rows: int, columns: int) -> RegionChoice:
    """The largest 2D tissue region; raises VideoError for colour flow or a loop of traces only.

    No regions at all is not an error (many exports omit them): the sector is then found from the pixels.
    """
    images = [r for r in regions if r.spatial_format == SPATIAL_2D]
    flow = [r for r in images if r.data_type == COLOUR_FLOW]
    if flow:
        raise VideoError(RejectReason.COLOUR_DOPPLER, f"a colour-flow region at {flow[0].box}")
    tissue = [r for r in images if r.data_type == TISSUE]
    if regions and not tissue:
        kinds = sorted({DOPPLER_OR_MMODE.get(r.spatial_format, f"format {r.spatial_format}") for r in regions})
        raise VideoError(RejectReason.NOT_B_MODE, "no 2D tissue region; regions: " + ", ".join(kinds))
    if not tissue:
        return RegionChoice(None, None, "the file states no ultrasound region")
    best = max(tissue, key=lambda r: r.area)
    x0, y0, x1, y1 = best.box
    if not (0 <= x0 < x1 <= columns and 0 <= y0 < y1 <= rows):
        return RegionChoice(None, None, f"the B-mode region {best.box} does not fit the {columns}x{rows} frame: "
                                        "bounds and spacing not used")
    if best.delta_cm is None:
        return RegionChoice(best.box, None, "the B-mode region states no spacing in cm")
    return RegionChoice(best.box, Spacing(best.delta_cm[0] * 10.0, best.delta_cm[1] * 10.0,
                                          "DICOM ultrasound region PhysicalDeltaX/Y"), "")


def pixel_spacing(ds) -> Spacing | None:
    """PixelSpacing (mm; row spacing then column spacing) as a fallback, where present and positive."""
    value = ds.get("PixelSpacing")
    if value is None or len(value) != 2 or not all(float(v) > 0 for v in value):
        return None
    return Spacing(float(value[1]), float(value[0]), "DICOM PixelSpacing")
