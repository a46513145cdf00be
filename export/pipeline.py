"""The export run: load MODEL_DIR, prepare frames, convert each variant, measure it, card it, gate it.

The Keras model's VAL Dice is measured once and every variant is compared against it on exactly the
same frames. With --prune, variants are converted from the pruned model but still gated against the
original (unpruned) Keras model: the gate judges what ships against what was trained.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from export import card as cards
from export import gate
from export.config import GATE_FAILED, ExportConfig
from export.convert import to_tflite
from export.data import FrameSet, sample_frames
from export.measure import median_latency_ms, validation_dice
from export.qat import FineTune, check_pqat_supported, kernel_sparsity, pruned, quantization_aware
from export.variants import INT8_VARIANTS
from lvseg.inference.model_dir import MODEL_FILE, load_trained
from lvseg import flags
from lvseg.inference.runners import KerasRunner, TFLiteRunner
from lvseg.publish import claimed, publish
from lvseg.records.shards import require_published
from trainer.config import val_share
from trainer.losses import trained_loss
from trainer.model import count_flops

LATENCY_WARMUP = 5
STAGE = "export"  # EXPORT_DIR's manifest.json names it (lvseg.publish)


@dataclass
class VariantResult:
    """One exported variant: its verdict, where its files ended up, and its card."""

    variant: str
    gate: gate.GateResult
    tflite_path: str
    card_path: str
    card: dict
    keras_model: object = None  # the Keras model it was converted from (QAT / pruned copies included)


def _log(message: str) -> None:
    print(f"export: {message}", file=sys.stderr, flush=True)


def variant_name(config: ExportConfig, variant: str) -> str:
    """[<--name>_]<variant>[_pruned<percent>], e.g. int8 (EXPORT_DIR/int8.tflite, as lvseg demo expects)."""
    suffix = f"_pruned{round(config.prune * 100)}" if config.prune else ""
    return f"{config.name}_{variant}{suffix}" if config.name else f"{variant}{suffix}"


def _source(config: ExportConfig, model, model_config: dict) -> dict:
    return {"model_dir": os.path.abspath(config.model),
            "sha256": cards.sha256_file(os.path.join(config.model, MODEL_FILE)),
            "preset": model_config.get("preset"), "parameters": int(model.count_params()),
            "flops_per_frame": count_flops(model)}


def run(config: ExportConfig, representative: np.ndarray | None = None) -> int:
    """Export every requested variant; returns the exit status (0, or GATE_FAILED if any was rejected).

    An export that cannot run as asked raises ExportError (the CLI prints it as one line, exit 2).
    ``representative`` overrides the int8 calibration frames (uint8 (N, H, W)); tests use it to feed a
    deliberately bad calibration set.
    """
    results = export_variants(config, representative)
    rejected = [r for r in results if not r.gate.passed]
    for result in results:
        _log(f"{result.gate.message()} -> {result.tflite_path}")
    if rejected:
        figures = "; ".join(f"{r.variant}: TFLite {r.gate.tflite_dice:.4f} vs Keras {r.gate.keras_dice:.4f}"
                            for r in rejected)
        _log(f"quality gate FAILED ({figures}): VAL Dice dropped more than the threshold {config.max_drop} below "
             f"the Keras model's; the rejected files were moved to "
             f"{os.path.join(config.out, gate.REJECTED_DIR)}/ and are not shippable")
        return GATE_FAILED
    return 0


def export_variants(config: ExportConfig, representative: np.ndarray | None = None) -> list[VariantResult]:
    """Convert, measure, card and gate each variant of ``config.quantize`` (in order, duplicates dropped)."""
    flags.check_limits(config)  # a config built in code meets the flags' rules too
    variants = list(dict.fromkeys(config.quantize))
    require_published(config.records, "VAL", "TRAIN")  # refuse incomplete records before any model is loaded
    model, model_config = load_trained(config.model)
    if config.prune and "qat" in variants:
        check_pqat_supported(model)  # fail before any fine-tuning time is spent
    owned = tuple(name for variant in variants for name in gate.published_names(variant_name(config, variant)))
    # EXPORT_DIR is published like every stage's output (claimed before any time is spent): a killed or
    # concurrent export leaves the previous complete one in place, and variants that earlier exports
    # published under other names stay published.
    with claimed(config.out, owned, stage=STAGE, keep_others=True) as run:
        results, source = _export_into(run.staging, config, variants, model, model_config, representative)
        publish(run, owned, {"kind": "model export", "source_model": source,
                             "variants": {r.variant: r.gate.passed for r in results}})
    return [dataclasses.replace(r, tflite_path=_published(r.tflite_path, run), card_path=_published(r.card_path, run))
            for r in results]


def _published(staged: str, run) -> str:
    return os.path.join(run.out, os.path.relpath(staged, run.staging))


def _export_into(folder: str, config: ExportConfig, variants: list[str], model, model_config: dict,
                 representative: np.ndarray | None) -> tuple[list[VariantResult], dict]:
    """Every variant converted, measured, carded and gated inside ``folder`` (the run's staging)."""
    kind = model_config["model"]
    # a model trained on decluttered frames is measured, calibrated and fine-tuned on frames as its VAL saw them
    share = val_share(float(model_config.get("declutter", 0.0)))
    val = sample_frames(config.records, "VAL", config.val_frames, config.seed, declutter=share)
    keras_dice = validation_dice(KerasRunner.from_model(model, model_config), val.images, val.masks)
    _log(f"Keras model: VAL Dice {keras_dice:.4f} on {len(val)} frames")
    calibration_from_records = representative is None
    if representative is None and "int8" in variants:
        representative = sample_frames(config.records, "TRAIN", config.representative_frames, config.seed,
                                       declutter=share).images
    needs_finetune = bool(config.prune) or "qat" in variants
    # fine-tunes optimize what training did: config.json's loss, base band and all
    loss, band_depth = trained_loss(model_config)
    train = sample_frames(config.records, "TRAIN", config.finetune_frames, config.seed,
                          heatmaps=kind == "landmarks", band_depth=band_depth,
                          declutter=share) if needs_finetune else None

    base, pruning = model, None
    if config.prune and train is not None:
        settings = FineTune(config.prune_steps, config.batch_size, config.prune_learning_rate, config.seed)
        base = pruned(model, kind, train, config.prune, settings, loss)
        pruning = {"target_sparsity": config.prune, "achieved_kernel_sparsity": kernel_sparsity(base),
                   "steps": config.prune_steps, "loss": loss.__name__,
                   "schedule": "polynomial 0 -> target over 70 % of the steps",
                   "keras_val_dice": validation_dice(KerasRunner.from_model(base, model_config),
                                                     val.images, val.masks)}
        _log(f"pruned: kernel sparsity {pruning['achieved_kernel_sparsity']:.3f}, "
             f"VAL Dice {pruning['keras_val_dice']:.4f}")

    source = _source(config, model, model_config)
    results = []
    for variant in variants:
        quantization: dict[str, Any] = {"pruning": pruning}
        to_convert = base
        if variant == "qat" and train is not None:
            settings = FineTune(config.qat_steps, config.batch_size, config.qat_learning_rate, config.seed)
            to_convert = quantization_aware(base, kind, train, settings, loss, preserve_sparsity=bool(pruning))
            quantization.update(qat_steps=config.qat_steps, qat_learning_rate=config.qat_learning_rate,
                                qat_loss=loss.__name__, finetune_frames=len(train), batch_size=config.batch_size,
                                prune_preserving=bool(pruning))
        if variant == "int8" and representative is not None:
            quantization.update(representative_frames=len(representative), seed=config.seed,
                                representative_split="TRAIN" if calibration_from_records else "given by the caller")
        results.append(_export_one(config, folder, variant, to_convert, model_config, val, keras_dice,
                                   representative, source, quantization))
    return results, source


def _export_one(config: ExportConfig, folder: str, variant: str, model, model_config: dict, val: FrameSet,
                keras_dice: float, representative: np.ndarray | None, source: dict,
                quantization: dict) -> VariantResult:
    """Convert, measure, card and gate one variant inside the run's staging ``folder``."""
    name = variant_name(config, variant)
    tflite_path = os.path.join(folder, name + ".tflite")
    card_path = os.path.join(folder, name + ".json")
    flatbuffer = to_tflite(model, variant, representative if variant == "int8" else None)
    with open(tflite_path, "wb") as f:
        f.write(flatbuffer)

    runner = TFLiteRunner(tflite_path)
    tflite_dice = validation_dice(runner, val.images, val.masks)
    verdict = gate.check(variant, keras_dice, tflite_dice, config.max_drop)
    latency: dict[str, Any] = {
        f"threads_{n}": median_latency_ms(tflite_path, val.images[0], n, LATENCY_WARMUP, config.latency_runs)
        for n in (1, 2)}
    latency.update(statistic="median of one invoke (quantize/dequantize excluded)", warmup=LATENCY_WARMUP,
                   runs=config.latency_runs, runtime="ai_edge_litert Interpreter (XNNPACK)",
                   machine=f"{platform.machine()}, {os.cpu_count()} CPU cores (shared while measured)")
    validation = {"split": "VAL", "frames": len(val), "dice_keras": keras_dice, "dice_tflite": tflite_dice,
                  "dice_drop": verdict.drop, "max_drop": config.max_drop, "passed": verdict.passed,
                  "metric": "pooled Dice (lvseg.metrics.dice.pooled_dice) of lvseg.inference.decode.segment masks"}
    if variant in INT8_VARIANTS:
        quantization["int8_io"] = "int8 input and output; scale and zero point under input/output"
    card = cards.build_card(name=name, variant=variant, tflite_path=tflite_path,
                            io=(runner.input_details, runner.output_details), config=model_config, source=source,
                            quantization=quantization, validation=validation, latency=latency)
    cards.write_card(card, card_path)
    tflite_path, card_path = gate.settle(verdict, folder, name)
    return VariantResult(variant, verdict, tflite_path, card_path, card, model)
