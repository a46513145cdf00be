"""What an export is judged on: validation Dice through the shared mask rule, and LiteRT latency.

Dice is always computed the same way for the Keras model and every .tflite: outputs -> masks with
lvseg.inference.decode.segment -> one pooled Dice (lvseg.metrics.dice) over the same VAL frames.
"""

from __future__ import annotations

import time

import numpy as np

from lvseg.inference.runners import Runner, TFLiteRunner
from lvseg.metrics.dice import overlap, pooled_dice


def validation_dice(runner: Runner, images: np.ndarray, masks: np.ndarray, chunk: int = 64) -> float:
    """Pooled Dice of ``runner``'s masks against the true masks (frames (N, H, W) uint8)."""
    overlaps = []
    for start in range(0, len(images), chunk):
        for seg, true in zip(runner.segment(images[start:start + chunk]), masks[start:start + chunk]):
            overlaps.append(overlap(seg.mask, true))
    return pooled_dice(overlaps)


def median_latency_ms(tflite_path: str, frame: np.ndarray, num_threads: int = 1, warmup: int = 5,
                      runs: int = 30) -> float:
    """Median wall time of one invoke (ms), after ``warmup`` invokes, input already quantized.

    Pre/post-processing is excluded: it is the model's cost a device pays per frame. The median is
    robust to the other jobs sharing this machine's cores.
    """
    runner = TFLiteRunner(tflite_path, num_threads=num_threads)
    model_input = runner.quantize_input(np.asarray(frame)[None])
    for _ in range(warmup):
        runner.invoke(model_input)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        runner.invoke(model_input)
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000.0)
