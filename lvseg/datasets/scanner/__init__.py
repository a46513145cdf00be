"""Scanner exports to EchoNet-Dynamic frames: DICOM cine loops, AVI/MP4 screen recordings, folders of stills.

``open_clip`` (lvseg.datasets.scanner.reader) reads any of them lazily, frame by frame, with its frame rate and,
where the file states one, its pixel spacing; ``convert_clip`` / ``iter_converted``
(lvseg.datasets.scanner.convert) find the scan sector and bring every frame to the EchoNet frame
(lvseg.datasets.scanner.framing: the one documented rule). Anything that cannot be used raises
lvseg.datasets.video.VideoError with a named lvseg.datasets.rejects.RejectReason.
"""

from lvseg.datasets.rejects import RejectReason

# Reasons only a scanner export causes (an EchoNet-layout folder never does): tests of the EchoNet reader
# and of the synthetic faults leave these to tests/datasets/scanner.
SCANNER_REASONS = frozenset({
    RejectReason.DICOM_NO_PIXEL_DATA, RejectReason.DICOM_NOT_A_CINE, RejectReason.DICOM_STRUCTURED_REPORT,
    RejectReason.UNSUPPORTED_TRANSFER_SYNTAX, RejectReason.COLOUR_DOPPLER, RejectReason.NOT_B_MODE,
    RejectReason.NO_SECTOR_FOUND, RejectReason.NO_FRAME_RATE, RejectReason.FRAMES_TOO_LARGE,
})
