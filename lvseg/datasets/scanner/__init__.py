"""Scanner exports to EchoNet-Dynamic frames: DICOM cine loops, AVI/MP4 screen recordings, folders of stills.

``open_clip`` (lvseg.datasets.scanner.reader) reads any of them lazily, frame by frame, with its frame rate and,
where the file states one, its pixel spacing; ``convert_clip`` / ``iter_converted``
(lvseg.datasets.scanner.convert) find the scan sector and bring every frame to the EchoNet frame
(lvseg.datasets.scanner.framing: the one documented rule). Anything that cannot be used raises
lvseg.datasets.video.VideoError with a named lvseg.datasets.rejects.RejectReason.
"""
