"""``lvseg stream VIDEO --models M``: one clip through the on-device analyser, each beat printed as it is found.

Frames go in one at a time, as a handheld's probe delivers them, through the streaming analyser
(lvseg.inference.stream) over the model's runner (a .tflite runs in the LiteRT interpreter, one thread, as on
a device). VIDEO is read as ``lvseg analyze`` reads it (lvseg.datasets.scanner.clip_input), local or gs://:
an EchoNet AVI (112x112) as EchoNet-Dynamic's own videos; a DICOM cine loop, an AVI/MP4 of any size or a
folder of PNG/JPEG frames decoded lazily and brought to the EchoNet frame one frame at a time. Each beat is
printed the moment it is decided, with the running EF, then the clip's EF and quality flags. Volumes are in mL where the file states its pixel spacing, else in the pixel
units of lvseg.analysis.volumes (the output says which); EF needs no spacing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from lvseg import RESEARCH_NOTICE, flags, storage
from lvseg.analysis.beats import Beat
from lvseg.datasets.limits import MAX_FPS, MIN_FPS
from lvseg.datasets.rejects import Reject, RejectReason
from lvseg.datasets.scanner.clip_input import ECHONET, is_echonet_avi, load_for_analysis, localized
from lvseg.datasets.scanner.convert import iter_converted, locate
from lvseg.datasets.scanner.entries import SCANNER, classify_file
from lvseg.datasets.scanner.framing import EchoNetFrame, spacing_status
from lvseg.datasets.scanner.reader import open_clip
from lvseg.datasets.scanner.source import ClipSource
from lvseg.datasets.video import VideoError, check_local_entry
from lvseg.datasets.video_plan import AnalysisTask
from lvseg.errors import UserError
from lvseg.inference.declutter import DEFAULT_STRENGTH
from lvseg.inference.mirror import MirrorRunner
from lvseg.inference.models import ModelInfo, describe_all, load_runner
from lvseg.inference.stream import StreamAnalyser
from lvseg.inference.temporal import MAX_WINDOW, window_problem

PROG = "lvseg stream"
DESCRIPTION = ("One clip through the on-device analyser, frame by frame as a probe delivers them: each beat's EF "
               "and volumes as it is found, then the clip's EF and quality flags.")
PIXEL_UNITS = "px units"
CALLER = "caller"  # the readers' name for a rate the caller gave (lvseg.datasets.scanner.source.checked_fps)


@dataclass(frozen=True)
class StreamOptions:
    """The command's options (VIDEO is positional); one flag per field."""

    models: tuple[str, ...] = field(default=(), metadata={
        "required": True, "help": "Keras MODEL_DIRs and/or .tflite files (with their model cards), local or gs://, "
                                  "or waist:M (M's masks cut at the waist); one is streamed"})
    model: str = field(default="", metadata={
        "help": "which of --models to stream, by the name lvseg analyze gives it (default: the only one)"})
    fps: float | None = field(default=None, metadata={
        "min": MIN_FPS, "max": MAX_FPS, "help": "frame rate in frames/s where the file states none (a rate "
                                                "the file states is always used, as lvseg analyze does)"})
    temporal_window: int = field(default=1, metadata={
        "min": 1, "max": MAX_WINDOW, "check": window_problem, "help": "average each frame's model output with its neighbours' over this "
                                             "odd number of frames (results come window // 2 frames late)"})
    mirror_average: bool = field(default=True, metadata={
        "help": "also segment each frame mirrored left-right and average the two outputs (twice the inference "
                "per frame, as lvseg analyze does by default; --no-mirror-average on hardware that cannot afford it)"})
    declutter: float = field(default=DEFAULT_STRENGTH, metadata={
        "min": 0, "max": 1, "help": "share of each pixel's static clutter taken off every frame, as lvseg analyze "
                                    "--declutter does (results start once the clip's first seconds are seen; 0: off)"})

    def validated(self) -> "StreamOptions":
        """A copy with the fields' own rules applied (lvseg.flags.check_limits); OptionError otherwise."""
        return flags.check_limits(self)


def parse(argv: list[str]) -> tuple[str, StreamOptions]:
    """(VIDEO, options) from the command line; OptionError on a bad flag."""
    parser = flags.ArgumentParser(prog=PROG, description=DESCRIPTION,
                                  epilog="Example: lvseg stream loop.dcm --models exports/mask/int8.tflite")
    parser.add_argument("video", metavar="VIDEO",
                        help="DICOM cine loop, AVI/MP4 file or folder of PNG/JPEG frames (local or gs://)")
    flags.add_dataclass_flags(parser, StreamOptions)
    namespace = parser.parse_args(argv)
    return namespace.video, flags.from_namespace(StreamOptions, namespace).validated()


def pick_model(options: StreamOptions) -> ModelInfo:
    """The model to stream: the only one of --models, or the one --model names (checked, as analyze checks)."""
    infos = describe_all(list(options.models))
    names = ", ".join(info.name for info in infos)
    if options.model:
        chosen = [info for info in infos if info.name == options.model]
        if not chosen:
            raise flags.OptionError(f"--model {options.model}: not among --models ({names})")
        return chosen[0]
    if len(infos) > 1:
        raise flags.OptionError(f"--models gives {len(infos)} models ({names}); pick one with --model NAME")
    return infos[0]


@dataclass(frozen=True)
class StreamInput:
    """An opened clip: its 112x112 frames (an iterator: read as they are streamed), rate and what it is."""

    frames: Iterator[np.ndarray]
    fps: float
    fps_origin: str
    description: str                  # e.g. "dicom, 640x480, 180 frames"
    mapping: EchoNetFrame | None      # scanner input's mapping (with the spacing the file states)


@contextmanager
def opened(video: str, fallback_fps: float | None) -> Iterator[StreamInput]:
    """The clip read as ``lvseg analyze`` reads it (lvseg.datasets.scanner.clip_input): an EchoNet AVI (its
    header says 112x112) by EchoNet's own reader, anything else converted to the EchoNet frame lazily, one frame
    at a time, from a local copy where it lives on gs://. ``fallback_fps`` (--fps) is used only where the file
    states no rate. UserError for a clip that cannot be used, naming the reject reason."""
    task = AnalysisTask(video_id=video, path=video, kind=classify_file(video).kind or SCANNER)
    if is_echonet_avi(task):  # decoded whole by EchoNet's reader, as analyze does (at most ~12 MB of frames)
        loaded = load_for_analysis(task, fallback_fps)
        if isinstance(loaded, Reject):
            raise _unusable(video, VideoError(loaded.reason, loaded.detail))
        shape = f"{loaded.frames.shape[2]}x{loaded.frames.shape[1]}"
        what = "EchoNet AVI" if loaded.source == ECHONET else f"{loaded.source} (converted)"
        yield StreamInput(iter(loaded.frames), loaded.fps, loaded.fps_origin,
                          f"{what}, {shape}, {len(loaded.frames)} frames", loaded.mapping)
        return
    with localized(video) as path:
        try:
            if not storage.is_gcs(video):
                check_local_entry(path, folder_ok=True)
            source = open_clip(path, fallback_fps=fallback_fps)
            mapping = locate(source)
        except VideoError as err:
            raise _unusable(video, err) from None
        count = "?" if source.frame_count is None else str(source.frame_count)
        yield StreamInput(_converted(video, source, mapping), source.fps, source.fps_origin,
                          f"{source.kind}, {source.columns}x{source.rows}, {count} frames", mapping)


def _converted(video: str, source: ClipSource, mapping: EchoNetFrame) -> Iterator[np.ndarray]:
    """The clip's frames in the EchoNet frame as they are decoded; a frame the file does not hold whole is a
    UserError."""
    try:
        yield from iter_converted(source, mapping)
    except VideoError as err:
        raise _unusable(video, err) from None


def _unusable(video: str, err: VideoError) -> UserError:
    hint = " with --fps F" if err.reason is RejectReason.NO_FRAME_RATE else ""
    return UserError(f"{video}: {err}{hint}")


def units_line(mapping: EchoNetFrame | None) -> str:
    """Which unit the volumes are in, and why (lvseg.datasets.scanner.framing.spacing_status)."""
    physical, note = spacing_status(mapping)
    if physical:
        return f"volumes in mL: pixel spacing from {note}"
    return f"volumes in {PIXEL_UNITS} of the 112x112 frame: {note}; EF needs no spacing"


def main(argv: list[str]) -> int:
    video, options = parse(argv)
    info = pick_model(options)
    with opened(video, options.fps) as clip:
        runner = load_runner(info)
        analyser = StreamAnalyser(MirrorRunner(runner) if options.mirror_average else runner, clip.fps,
                                  temporal_window=options.temporal_window, declutter=options.declutter)
        print(RESEARCH_NOTICE)
        origin = "--fps" if clip.fps_origin == CALLER else clip.fps_origin
        print(f"streaming {video} ({clip.description}) at {clip.fps:g} fps ({origin}) through {info.name} "
              f"({info.kind}, {info.format} {info.quantization}), temporal window {options.temporal_window}"
              f"{', mirror-averaged' if options.mirror_average else ''}"
              f"{f', decluttered {options.declutter:g}' if options.declutter else ''}")
        print(units_line(clip.mapping), flush=True)
        start, beats, frames = time.perf_counter(), 0, 0
        for frame in clip.frames:
            frames += 1
            for result in analyser.push(frame):
                for beat in result.beats:
                    beats += 1
                    print(beat_line(beats, beat, result.ef, clip.fps, clip.mapping), flush=True)
        for beat in analyser.finish():
            beats += 1
            print(beat_line(beats, beat, analyser.ef, clip.fps, clip.mapping), flush=True)
    seconds = max(time.perf_counter() - start, 1e-9)
    ef = "none" if analyser.video_ef is None else f"{analyser.video_ef:.1f} %"
    print(f"video EF {ef} over {beats} beat(s); quality {'+'.join(analyser.flags()) or 'ok'}; "
          f"{frames} frames, {frames / seconds:.0f} frames/s on this machine")
    return 0


def volume_text(volume: float, mapping: EchoNetFrame | None) -> str:
    """A pixel-unit volume (lvseg.analysis.volumes) in mL where the clip's spacing is known, else as it is."""
    ml = None if mapping is None else mapping.ml_from_pixel_volume(volume)
    return f"{volume:.1f} {PIXEL_UNITS}" if ml is None else f"{ml:.1f} mL"


def beat_line(number: int, beat: Beat, running_ef: float | None, fps: float, mapping: EchoNetFrame | None) -> str:
    """One beat as printed: ED and ES frames and times, EF, volumes (mL or pixel units), the running EF."""
    running = "--" if running_ef is None else f"{running_ef:.1f} %"
    return (f"beat {number}: ED frame {beat.ed_frame} ({beat.ed_frame / fps:.2f} s) -> ES frame {beat.es_frame} "
            f"({beat.es_frame / fps:.2f} s): EF {beat.ef:.1f} %, EDV {volume_text(beat.edv, mapping)}, "
            f"ESV {volume_text(beat.esv, mapping)} ({beat.quality}; running EF {running})")
