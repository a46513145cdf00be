"""Per-frame cost of the video analysis core, beside floors measured in the same run; and its accuracy.

  python benchmarks/analysis_core.py                          # analysis steps beside an in-run int8 model
  python benchmarks/analysis_core.py --tflite int8.tflite     # the same beside a model of yours
  python benchmarks/analysis_core.py --accuracy 200           # mask-derived geometry vs synthetic tracings
  python benchmarks/analysis_core.py --tflite int8.tflite --video-ef 20   # EF of a model's masks vs FileList

Target: the streaming analyser's overhead per frame, everything but the interpreter's invoke (quantize,
decode the mask, contour, long axis, chords, volume, beat bookkeeping), under 10 % of the int8 invoke it
accompanies, both measured in this run (one interpreter thread). Without --tflite the model is the compact
mask U-Net (trainer presets), untrained and converted to int8 here (export.convert; about 20 s with the
TensorFlow import): an int8 invoke costs the same whatever the weights. Masks are official masks
(lvseg.geometry.mask) of synthetic LVs (lvseg.synth.anatomy) over whole cycles, fed as a mask model's
probabilities; a second floor is the bare threshold of that output. Steps alternate round by round so
load from other jobs on this shared machine hits them alike; each figure is the median over rounds of
the mean per frame.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lvseg.analysis import volumes  # noqa: E402
from lvseg.analysis.beats import BeatTracker  # noqa: E402
from lvseg.geometry.disks import tracing_from_contour  # noqa: E402
from lvseg.geometry.mask import disk_volume, tracing_mask  # noqa: E402
from lvseg.inference.decode import segment  # noqa: E402
from lvseg.inference.stream import StreamAnalyser  # noqa: E402
from lvseg.runtime_noise import stderr_silenced  # noqa: E402
from lvseg.synth.anatomy import cycle, sample_heart  # noqa: E402

FPS, BPM, SYSTOLE = 50, 72, 0.35
TARGET_SHARE = 0.10  # of the model's invoke, measured in the same run


def untrained_int8(folder: str, frames: np.ndarray) -> str:
    """Path of the compact mask U-Net, untrained, as int8 TFLite (``frames`` uint8 set its activation ranges)."""
    from export.convert import to_tflite
    from trainer.model import build_preset

    path = os.path.join(folder, "compact_untrained_int8.tflite")
    with stderr_silenced(), open(path, "wb") as handle:  # the converter's C++ lines
        handle.write(to_tflite(build_preset("compact", out_channels=1), "int8", frames))
    return path


def official_masks(frames: int, hearts: int, seed: int) -> np.ndarray:
    """(frames * hearts, 112, 112) uint8 official masks of synthetic LVs beating at BPM, heart after heart."""
    rng = np.random.default_rng(seed)
    states = cycle(np.arange(frames) / (FPS * 60 / BPM), SYSTOLE)
    masks = []
    for _ in range(hearts):
        heart = sample_heart(rng, float(rng.uniform(25, 70)))
        masks.extend(tracing_mask(heart.lv(float(c)).tracing()) for c in states)
    return np.stack(masks)


class Replay:
    """A mask runner whose 'model' output for the i-th frame is the i-th prepared output (no interpreter)."""

    kind = "mask"

    def __init__(self, outputs: np.ndarray) -> None:
        self.outputs, self.i = outputs, 0

    def segment(self, frames: np.ndarray):
        out = self.outputs[self.i % len(self.outputs)]
        self.i += 1
        return [segment("mask", out)]


def time_steps(steps: dict, n: int, rounds: int) -> dict[str, float]:
    """Median over rounds of the mean ms per call of each step(i) for i in range(n), steps interleaved."""
    per_round: dict[str, list[float]] = {k: [] for k in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            start = time.perf_counter()
            for i in range(n):
                step(i)
            per_round[name].append((time.perf_counter() - start) * 1000.0 / n)
    return {k: float(np.median(v)) for k, v in per_round.items()}


def costs(args) -> None:
    masks = official_masks(args.frames, args.hearts, args.seed)
    outputs = (masks.astype(np.float32) * 0.9 + 0.05)[..., None]  # a confident model's probabilities
    segs = [segment("mask", o) for o in outputs]
    contours = [volumes.outer_contour(m)[0] for m in masks]
    axes = [volumes.mask_axis(c) for c in contours]
    tracings = [tracing_from_contour(c, a, b, volumes.END_CHORD_INSET) for c, (a, b) in zip(contours, axes)]
    vols = [disk_volume(t, 1.0) for t in tracings]
    tracker = BeatTracker(FPS)
    stream = StreamAnalyser(Replay(outputs), FPS)
    frame = np.zeros((112, 112), np.uint8)
    steps = {
        "floor: threshold of the output": lambda i: (outputs[i][:, :, 0] > 0.5).astype(np.uint8),
        "decode (lvseg.inference.decode.segment)": lambda i: segment("mask", outputs[i]),
        "largest component + contour": lambda i: volumes.outer_contour(masks[i]),
        "long axis": lambda i: volumes.mask_axis(contours[i]),
        "20 chords": lambda i: tracing_from_contour(contours[i], *axes[i], volumes.END_CHORD_INSET),
        "disk volume": lambda i: disk_volume(tracings[i], 1.0),
        "measure (contour..volume)": lambda i: volumes.measure(segs[i], "mask"),
        "beat bookkeeping": lambda i: tracker.push(vols[i]),
        "stream push without invoke": lambda i: stream.push(frame),
    }
    from lvseg.inference.runners import TFLiteRunner

    grey = (masks[:64] * 40 + 60).astype(np.uint8)  # something frame-like to feed the model
    with tempfile.TemporaryDirectory() as folder:
        model = args.tflite or untrained_int8(folder, grey)
        with stderr_silenced():  # LiteRT's XNNPACK line
            runner = TFLiteRunner(model, num_threads=1)
    quantized = [runner.quantize_input(g[None]) for g in grey]
    raw = runner.invoke(quantized[0])
    steps["quantize input"] = lambda i: runner.quantize_input(grey[i % 64][None])
    steps["dequantize output"] = lambda i: runner.dequantize_output(raw)
    steps["interpreter invoke"] = lambda i: runner.invoke(quantized[i % 64])
    n = min(len(masks), 200)
    for step in steps.values():  # warm-up
        step(0)
    result = time_steps(steps, n, args.rounds)
    print(f"per-frame cost, ms (median of {args.rounds} rounds x {n} frames; {len(masks)} official masks "
          f"of {args.hearts} synthetic hearts at {FPS} fps, {BPM} bpm)")
    print(f"model: {args.tflite or 'the compact mask U-Net, untrained, int8, converted in this run'}")
    for name, ms in result.items():
        print(f"  {name:38s} {ms:8.4f}")
    overhead = sum(result[k] for k in ("stream push without invoke", "quantize input", "dequantize output"))
    invoke = result["interpreter invoke"]
    print(f"streaming overhead per frame (push without invoke + quantize + dequantize): {overhead:.4f} ms "
          f"= {overhead / result['floor: threshold of the output']:.0f} x the threshold floor")
    print(f"  = {overhead / invoke:.1%} of this model's invoke ({invoke:.3f} ms, same run): target < "
          f"{TARGET_SHARE:.0%} ({'met' if overhead < TARGET_SHARE * invoke else 'NOT met'})")


def accuracy(args) -> None:
    """Mask-derived (and contour16 landmark-derived) geometry on official masks of synthetic tracings."""
    from lvseg.datasets.echonet import assign_phases, plan_dataset
    from lvseg.geometry.landmarks import landmarks
    from lvseg.geometry.spline import mask_from_landmarks
    from lvseg.inference.decode import Segmentation
    from lvseg.synth import generate_echonet

    with tempfile.TemporaryDirectory() as root:
        generate_echonet(root, videos=args.accuracy, seed=args.seed, max_frames=16)
        tasks = plan_dataset(root).tasks
    errors = {k: [] for k in ("mask vol", "mask len", "mask EF", "lm vol", "lm len", "lm EF")}
    for task in tasks:
        phases = assign_phases(task.tracings)
        got = {"mask": [], "lm": []}
        for frame in phases:
            t = task.tracings[frame]
            points = landmarks(t, "contour16")
            apex, base = t.long_axis
            for kind, m in (("mask", volumes.measure_mask(tracing_mask(t))),
                            ("lm", volumes.measure(Segmentation(mask_from_landmarks(points), points), "landmarks"))):
                errors[f"{kind} vol"].append(100 * (m.volume / disk_volume(t, 1.0) - 1))
                errors[f"{kind} len"].append(100 * (m.length / np.hypot(*(base - apex)) - 1))
                got[kind].append(m.volume)
        for kind, (ed, es) in got.items():
            errors[f"{kind} EF"].append((ed - es) / ed * 100 - task.meta.ef)
    print(f"{len(tasks)} synthetic videos (seed {args.seed}), ED and ES official masks; 'lm' = spline mask of the "
          "contour16 landmarks of the tracing, apex end at landmark 0")
    for name, e in errors.items():
        e = np.asarray(e)
        unit = "EF points vs FileList EF" if name.endswith("EF") else "% vs the tracing's own"
        print(f"  {name:9s} median {np.median(e):+6.2f}  mean {e.mean():+6.2f}  MAE {np.abs(e).mean():5.2f}  "
              f"p95 |.| {np.quantile(np.abs(e), 0.95):5.2f}  max |.| {np.abs(e).max():5.2f}   ({unit})")


def video_ef(args) -> None:
    """A model's EF over whole synthetic videos (lvseg.analysis.video.analyse_video) against FileList EF."""
    from lvseg.analysis.agreement import agreement
    from lvseg.analysis.video import analyse_video
    from lvseg.datasets.echonet import EchoVideo, iter_dataset
    from lvseg.inference.runners import TFLiteRunner
    from lvseg.synth import generate_echonet

    runner = TFLiteRunner(args.tflite, num_threads=1)
    predicted, reference, flagged, beats = [], [], 0, []
    with tempfile.TemporaryDirectory() as root:
        generate_echonet(root, videos=args.video_ef, seed=args.seed)
        for video in iter_dataset(root):
            if isinstance(video, EchoVideo):
                result = analyse_video(runner.segment(video.frames), runner.kind, video.meta.fps)
                predicted.append(result.ef)
                reference.append(video.meta.ef)
                beats.append(len(result.beats))
                flagged += bool(result.flags)
    a = agreement(predicted, reference, seed=args.seed)
    def fmt(e, digits=2):
        return "None" if e.value is None else f"{e.value:.{digits}f} [{e.low:.{digits}f}, {e.high:.{digits}f}]"


    print(f"{runner.kind} model {args.tflite}: {a.n} of {len(reference)} synthetic videos (seed {args.seed}) with an "
          f"EF, beats per video median {np.median(beats):.0f}, {flagged} flagged")
    print(f"  EF vs FileList: MAE {fmt(a.mae)}  RMSE {fmt(a.rmse)}  bias {fmt(a.bias)}  r {fmt(a.pearson_r, 3)}  "
          f"R2 {fmt(a.r2, 3)}  (95 % bootstrap CIs)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tflite", help="an int8 mask model (.tflite) to time quantize, invoke and dequantize")
    parser.add_argument("--frames", type=int, default=100, help="frames per synthetic heart")
    parser.add_argument("--hearts", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--accuracy", type=int, default=0, metavar="VIDEOS",
                        help="instead of timing, compare mask geometry with the tracings of this many synthetic videos")
    parser.add_argument("--video-ef", type=int, default=0, metavar="VIDEOS",
                        help="instead of timing, the --tflite model's EF over this many whole synthetic videos")
    args = parser.parse_args(argv)
    if args.video_ef and not args.tflite:
        parser.error("--video-ef needs --tflite")
    video_ef(args) if args.video_ef else accuracy(args) if args.accuracy else costs(args)


if __name__ == "__main__":
    main()
