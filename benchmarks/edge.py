"""Edge benchmark: every TFLite variant of a mask model, its size, latency and Dice against the targets.

  python benchmarks/edge.py --model MODEL_DIR --records RECORDS
  python benchmarks/edge.py            # no model: synthetic data + a compact mask U-Net trained briefly here

Targets (the compact mask model on a handheld): int8 <= 1 MB; int8 latency <= 40 % of float32's in the
same run; VAL Dice drop <= 0.005 with QAT and <= 0.01 with post-training int8.

Latency here is re-measured with all variants interleaved round by round (1 thread, LiteRT, after
warm-up), so load from other jobs on this shared machine hits every variant alike; the cards' own
figures (1 and 2 threads) are measured one variant after another.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from export.variants import VARIANTS  # noqa: E402
from lvseg import RESEARCH_NOTICE  # noqa: E402

MAX_INT8_BYTES = 1_000_000
MAX_LATENCY_RATIO = 0.40
MAX_DROP = {"qat": 0.005, "int8": 0.01}


def make_synthetic(work: str, videos: int, seed: int) -> str:
    """A synthetic EchoNet dataset preprocessed by the real Beam job (frame records only); returns RECORDS."""
    from beam_pipelines.preprocess.pipeline import run
    from lvseg.synth import generate_echonet

    data, records = os.path.join(work, "echonet"), os.path.join(work, "records")
    generate_echonet(data, videos=videos, seed=seed, max_frames=40)
    run(["--data", data, "--out", records, "--landmark-scheme", "contour12", "--no-write-videos"])
    return records


def train_compact(records: str, model_dir: str, steps: int, seed: int) -> str:
    """The compact mask U-Net fit for ``steps`` batches of 16 TRAIN frames (Dice + BCE, Adam 1e-3, no augmentation)."""
    from export.data import sample_frames
    from export.qat import loss_for
    from lvseg.inference.encode import to_model_input
    from lvseg.tf_backend import keras, tf
    from trainer.artifacts import save_trained
    from trainer.model import build_preset

    keras.utils.set_random_seed(seed)
    train = sample_frames(records, "TRAIN", None)
    data = tf.data.Dataset.from_tensor_slices((to_model_input(train.images), train.masks[..., None].astype("float32")))
    model = build_preset("compact", out_channels=1)
    model.compile(keras.optimizers.Adam(1e-3), loss_for("mask"))
    model.fit(data.shuffle(len(train), seed=seed).repeat().batch(16), epochs=1, steps_per_epoch=steps, verbose=0)
    save_trained(model, {"model": "mask", "landmark_scheme": "contour12", "num_landmarks": 12, "heatmap_sigma": 5.0,
                         "preset": "compact", "train_steps": steps}, model_dir)
    return model_dir


def interleaved_latency_ms(paths: dict[str, str], frame: np.ndarray, rounds: int, per_round: int) -> dict[str, float]:
    """Median invoke time per model (1 thread), variants alternating every ``per_round`` invokes."""
    from lvseg.inference.runners import TFLiteRunner

    runners = {v: TFLiteRunner(p, num_threads=1) for v, p in paths.items()}
    inputs = {v: r.quantize_input(frame[None]) for v, r in runners.items()}
    times: dict[str, list[float]] = {v: [] for v in runners}
    for v, r in runners.items():
        for _ in range(5):
            r.invoke(inputs[v])
    for _ in range(rounds):
        for v, r in runners.items():
            for _ in range(per_round):
                start = time.perf_counter()
                r.invoke(inputs[v])
                times[v].append(time.perf_counter() - start)
    return {v: float(np.median(t) * 1000) for v, t in times.items()}


def report(results: list, latency: dict[str, float]) -> list[str]:
    """The table and the target verdicts, as lines."""
    lines = [f"{'variant':<9} {'size':>10} {'latency 1t':>11} {'VAL Dice':>9} {'drop':>8}  gate",
             f"{'keras':<9} {'':>10} {'':>11} {results[0].gate.keras_dice:>9.4f}"]
    by_variant = {r.variant: r for r in results}
    for r in results:
        lines.append(f"{r.variant:<9} {r.card['size_bytes'] / 1e6:>8.3f}MB {latency[r.variant]:>9.2f}ms "
                     f"{r.gate.tflite_dice:>9.4f} {r.gate.drop:>+8.4f}  {'pass' if r.gate.passed else 'REJECTED'}")
    checks = []
    if "int8" in by_variant:
        size = by_variant["int8"].card["size_bytes"]
        checks.append((f"int8 size {size / 1e6:.3f} MB <= 1 MB", size <= MAX_INT8_BYTES))
        if "float32" in by_variant:
            ratio = latency["int8"] / latency["float32"]
            checks.append((f"int8 latency {ratio:.0%} of float32's <= 40 %", ratio <= MAX_LATENCY_RATIO))
    for variant, limit in MAX_DROP.items():
        if variant in by_variant:
            drop = by_variant[variant].gate.drop
            checks.append((f"{variant} Dice drop {drop:+.4f} <= {limit}", drop <= limit))
    lines.append("")
    lines += [f"target: {text:<45} {'MET' if ok else 'MISSED'}" for text, ok in checks]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=RESEARCH_NOTICE)
    parser.add_argument("--model", help="MODEL_DIR of a trained mask model (default: train one on synthetic data)")
    parser.add_argument("--records", help="RECORDS root (required with --model)")
    parser.add_argument("--work", help="folder for synthetic data, model and exports (default: a temp folder)")
    parser.add_argument("--quantize", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--videos", type=int, default=200, help="synthetic videos (no --model)")
    parser.add_argument("--train-steps", type=int, default=500, help="training steps of the compact model (no --model)")
    parser.add_argument("--qat-steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20, help="latency rounds (each variant 10 invokes a round)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if bool(args.model) != bool(args.records):
        parser.error("give both --model and --records, or neither")
    work = args.work or tempfile.mkdtemp(prefix="lvseg_edge_")
    os.makedirs(work, exist_ok=True)
    start = time.time()
    records, model_dir = args.records, args.model
    if not model_dir:
        print(f"No --model: generating {args.videos} synthetic videos and training the compact mask U-Net for "
              f"{args.train_steps} steps here (under {work}); its Dice reflects this brief training only.", flush=True)
        records = make_synthetic(work, args.videos, args.seed)
        model_dir = train_compact(records, os.path.join(work, "model"), args.train_steps, args.seed)
        print(f"  data + training: {time.time() - start:.0f} s", flush=True)

    from export.config import parse_args
    from export.pipeline import export_variants

    config = parse_args(["--model", model_dir, "--records", records, "--out", os.path.join(work, "export"),
                         "--quantize", *args.quantize, "--qat-steps", str(args.qat_steps), "--seed", str(args.seed)])
    results = export_variants(config)
    latency = interleaved_latency_ms({r.variant: r.tflite_path for r in results},
                                     _first_val_frame(records), args.rounds, 10)
    card = results[0].card
    print(f"\nmodel {model_dir} ({card['source_model']['preset']}, {card['source_model']['parameters']:,} parameters), "
          f"VAL frames {card['validation']['frames']}, {os.cpu_count()} CPU cores, total {time.time() - start:.0f} s")
    print("\n".join(report(results, latency)))
    return 0


def _first_val_frame(records: str) -> np.ndarray:
    from export.data import sample_frames

    return sample_frames(records, "VAL", 1).images[0]


if __name__ == "__main__":
    sys.exit(main())
