"""``lvseg analyze --stream VIDEO.avi --models EXPORT.tflite``: one video through the on-device analyser.

Frames go in one at a time, as a handheld's probe delivers them, through the streaming analyser
(lvseg.inference.stream) over the model's runner (a .tflite runs in the LiteRT interpreter, one thread,
as on a device); each beat is printed the moment it is decided, with the running EF, then the video's
EF and quality flags. The video's frame rate is read from the file unless --fps gives it.
"""

from __future__ import annotations

import time

from lvseg import RESEARCH_NOTICE, flags
from lvseg.datasets.limits import fps_problem
from lvseg.datasets.rejects import Reject
from lvseg.datasets.video import load_or_reject
from lvseg.errors import UserError
from lvseg.inference.models import describe, load_runner
from lvseg.inference.stream import StreamAnalyser


def parse(argv: list[str]):
    parser = flags.ArgumentParser(prog="lvseg analyze --stream", description=__doc__.splitlines()[0])
    parser.add_argument("--stream", required=True, metavar="VIDEO.avi", help="the video to stream (local or gs://)")
    parser.add_argument("--models", required=True, nargs=1, metavar="MODEL", help="one .tflite file or MODEL_DIR")
    parser.add_argument("--fps", type=flags.checked(float, {"above": 0}), default=None,
                        help="frame rate (default: the file's)")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse(argv)
    loaded = load_or_reject(args.stream, args.stream)
    if isinstance(loaded, Reject):
        raise UserError(f"{args.stream}: {loaded.reason.value}: {loaded.detail}")
    frames, file_fps, _ = loaded
    fps = args.fps or file_fps
    if not fps:
        raise UserError(f"{args.stream}: the file gives no frame rate; pass --fps")
    problem = fps_problem(fps)
    if problem:  # an absurd rate would make the beat finder's windows absurd (minutes of work, gigabytes)
        raise UserError(f"{args.stream}: {problem}")
    info = describe(args.models[0])
    analyser = StreamAnalyser(load_runner(info), fps)
    print(RESEARCH_NOTICE)
    print(f"streaming {args.stream}: {len(frames)} frames at {fps:g} fps through {info.name} "
          f"({info.kind}, {info.format} {info.quantization})", flush=True)
    start, beats = time.perf_counter(), 0
    for frame in frames:
        result = analyser.push(frame)
        for beat in result.beats:
            beats += 1
            _print_beat(beats, beat, result.ef, fps)
    for beat in analyser.finish():
        beats += 1
        _print_beat(beats, beat, analyser.ef, fps)
    seconds = time.perf_counter() - start
    ef = "none" if analyser.video_ef is None else f"{analyser.video_ef:.1f} %"
    print(f"video EF {ef} over {beats} beat(s); quality {'+'.join(analyser.flags()) or 'ok'}; "
          f"{len(frames) / seconds:.0f} frames/s on this machine")
    return 0


def _print_beat(number: int, beat, running_ef: float | None, fps: float) -> None:
    running = "--" if running_ef is None else f"{running_ef:.1f} %"
    print(f"beat {number}: ED frame {beat.ed_frame} ({beat.ed_frame / fps:.2f} s) -> ES frame {beat.es_frame} "
          f"({beat.es_frame / fps:.2f} s): EF {beat.ef:.1f} %  (running EF {running})", flush=True)
