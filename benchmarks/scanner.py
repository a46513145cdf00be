"""Peak memory and speed of converting scanner exports to the EchoNet frame (lvseg.datasets.scanner).

    python -m benchmarks.scanner [--frames 1800] [--keep DIR]

Writes one synthetic loop (a lvseg.synth clip on a 640x480 screen with text and an ECG trace, repeated to
--frames frames) as an MJPEG AVI, an MPEG-4 part 2 MP4 and a JPEG-baseline DICOM, and the same clip as an
EchoNet-size 112x112 AVI. Each case is converted in its own subprocess (convert_clip: two lazy passes,
only the 112x112 output kept), which reports frames/s, tracemalloc's peak (Python and NumPy allocations)
and the process's peak resident memory during the run (VmHWM, reset after the imports; interpreter,
libraries and codec buffers included; the resident memory after the imports alone is shown beside it).
For contrast, the whole-clip decode of lvseg.datasets.video.load_video is tried on the 640x480 AVI: it
holds every full-size frame, so past lvseg.datasets.limits.MAX_DECODED_BYTES it refuses the clip; the row
then gives the reason, the peak memory reached before refusing, and what the whole clip would need.
A case that fails is printed as such and the table goes on; the exit status is 1 when any case failed.
Target: peak memory under 1 GB for the 1,800-frame 640x480 clip.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc

MB = 1024 * 1024


def _status_mb(key: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process from /proc, in MB."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _reset_peak() -> None:
    """Start the VmHWM peak afresh (Linux: clear_refs 5), so import-time peaks do not hide the run's own."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def run_case(mode: str, path: str) -> dict:
    """Convert (or, mode 'decode-all', fully decode) one file in this process; memory and speed.

    A whole-clip decode the size limit refuses is a result, not a failure: ``refused`` holds the reason.
    """
    import numpy as np  # noqa: F401  (imports first, so the RSS after them is the floor)

    from lvseg.datasets.scanner.convert import convert_clip
    from lvseg.datasets.video import VideoError, load_video

    _reset_peak()
    floor = _status_mb("VmRSS")
    tracemalloc.start()
    start = time.perf_counter()
    refused, frames = "", 0
    if mode == "convert":
        frames = len(convert_clip(path).frames)
    else:
        try:
            frames = len(load_video(path)[0])
        except VideoError as err:
            refused = str(err)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    return {"frames": frames, "seconds": seconds, "traced_peak_mb": peak, "rss_mb": _status_mb("VmHWM"),
            "rss_imports_mb": floor, "refused": refused}


def whole_clip_mb(path: str) -> float | None:
    """What decoding every frame of an AVI as 8-bit grey takes, from its header (frames x height x width)."""
    from lvseg.datasets.avi import read_header

    with open(path, "rb") as handle:
        header = read_header(handle.read(1 << 16))  # the header lists sit at the start of the file
    return None if header is None else header.frames * header.height * header.width / MB


def case_line(name: str, mode: str, path: str) -> tuple[str, bool]:
    """One case run in its own subprocess -> (its table row, whether it ran to a result)."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.scanner", "--run", mode, path],
                         capture_output=True, text=True)
    start = f"{name:46s} {os.path.getsize(path) / MB:8.1f} "
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or [f"exit status {out.returncode}"])[-1]
        return start + f"failed: {last}", False
    r = json.loads(out.stdout.strip().splitlines()[-1])
    if r["refused"]:
        need = whole_clip_mb(path)
        whole = "" if need is None else f"; the whole clip would need {need:.0f} MB of frames"
        return start + f"refused: {r['refused']} (peak RSS {r['rss_mb']:.0f} MB when refused{whole})", True
    return start + (f"{r['frames']:6d} {r['seconds']:6.1f} {r['frames'] / r['seconds']:9.0f} "
                    f"{r['traced_peak_mb']:10.1f} {r['rss_mb']:11.0f} {r['rss_imports_mb']:17.0f}"), True


def write_cases(folder: str, frames: int) -> dict[str, str]:
    """The benchmark's input files: {case name: path}."""
    import cv2
    from pydicom.uid import JPEGBaseline8Bit

    from lvseg.datasets.scanner.synthetic import Screen, screen_frame, write_us_dicom
    from lvseg.synth.clips import MM_PER_PIXEL, render_video, write_avi
    from lvseg.synth.plan import plan_video

    plan = plan_video(0, 8, min_frames=60, max_frames=64)
    clip, _ = render_video(plan, split="TEST")
    screen = Screen()
    big = [screen_frame(f, i, screen) for i, f in enumerate(clip)]  # one loop; the long clip repeats it
    fps = float(plan.timing.fps)

    def long_clip():
        return (big[i % len(big)] for i in range(frames))

    paths = {}
    for name, fourcc in (("640x480 MJPEG AVI", "MJPG"), ("640x480 MPEG-4 MP4", "mp4v")):
        path = os.path.join(folder, "clip.avi" if fourcc == "MJPG" else "clip.mp4")
        writer = cv2.VideoWriter(path, cv2.VideoWriter.fourcc(*fourcc), fps, (screen.width, screen.height), True)
        for frame in long_clip():
            writer.write(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
        writer.release()
        paths[name] = path
    path = os.path.join(folder, "clip.dcm")
    write_us_dicom(path, long_clip(), frames, JPEGBaseline8Bit, fps=fps,
                   spacing_cm=screen.mm_per_screen_pixel(MM_PER_PIXEL) / 10.0,
                   region=(screen.x0, screen.y0, screen.x0 + screen.side, screen.y0 + screen.side))
    paths["640x480 JPEG DICOM"] = path
    import numpy as np

    small = np.stack([clip[i % len(clip)] for i in range(frames)])
    path = os.path.join(folder, "echonet.avi")
    write_avi(path, small, int(fps))
    paths["112x112 EchoNet AVI"] = path
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=1800)
    parser.add_argument("--keep", help="write the input files here and keep them")
    parser.add_argument("--run", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)  # one subprocess case
    args = parser.parse_args(argv)
    if args.run:
        print(json.dumps(run_case(*args.run)))
        return 0
    folder = args.keep or tempfile.mkdtemp(prefix="lvseg-scanner-bench-")
    os.makedirs(folder, exist_ok=True)
    try:
        start = time.perf_counter()
        paths = write_cases(folder, args.frames)
        print(f"wrote {args.frames}-frame inputs in {time.perf_counter() - start:.1f} s to {folder}")
        cases = [(name, "convert", path) for name, path in paths.items()]
        cases.append(("640x480 AVI, whole-clip decode (load_video)", "decode-all", paths["640x480 MJPEG AVI"]))
        header = f"{'case':46s} {'file MB':>8s} {'frames':>6s} {'s':>6s} {'frames/s':>9s} {'traced MB':>10s} " \
                 f"{'peak RSS MB':>11s} {'RSS after imports':>17s}"
        print(header)
        failed = 0
        for name, mode, path in cases:
            line, ran = case_line(name, mode, path)
            print(line, flush=True)
            failed += not ran
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
