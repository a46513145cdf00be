"""The quality gate: a converted model ships only if its validation Dice stays close to the Keras model's.

A rejected .tflite and its card are moved to EXPORT_DIR/rejected/, so nothing in EXPORT_DIR itself
looks shippable unless it passed; a stale accepted copy from an earlier run is removed.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

DEFAULT_MAX_DROP = 0.01
REJECTED_DIR = "rejected"


@dataclass(frozen=True)
class GateResult:
    variant: str
    keras_dice: float
    tflite_dice: float
    max_drop: float

    @property
    def drop(self) -> float:
        return self.keras_dice - self.tflite_dice

    @property
    def passed(self) -> bool:
        # A tiny epsilon so a drop of exactly the threshold (after float rounding) still passes.
        return self.drop <= self.max_drop + 1e-12

    def message(self) -> str:
        verdict = "passed" if self.passed else "REJECTED"
        return (f"{self.variant}: {verdict}: validation Dice {self.tflite_dice:.4f} (TFLite) vs "
                f"{self.keras_dice:.4f} (Keras float), drop {self.drop:+.4f}, threshold {self.max_drop:.4f}")


def check(variant: str, keras_dice: float, tflite_dice: float, max_drop: float = DEFAULT_MAX_DROP) -> GateResult:
    """Compare the two validation Dice figures against the allowed drop."""
    return GateResult(variant, float(keras_dice), float(tflite_dice), float(max_drop))


def published_names(name: str) -> tuple[str, ...]:
    """Every path a variant called ``name`` may occupy in EXPORT_DIR: accepted or rejected, file and card.
    An export owns all four (lvseg.publish), so the outcome it did not reach is removed when it publishes."""
    return tuple(os.path.join(folder, name + ext) if folder else name + ext
                 for folder in ("", REJECTED_DIR) for ext in (".tflite", ".json"))


def settle(result: GateResult, export_dir: str, name: str) -> tuple[str, str]:
    """Leave ``name``.tflite/.json in EXPORT_DIR if it passed, else move both to EXPORT_DIR/rejected/.

    Returns the final (tflite path, card path). A copy of the other outcome left by an earlier run
    under the same name is deleted, so the directory always reflects the latest verdict.
    """
    accepted = [os.path.join(export_dir, name + ext) for ext in (".tflite", ".json")]
    rejected_dir = os.path.join(export_dir, REJECTED_DIR)
    rejected = [os.path.join(rejected_dir, name + ext) for ext in (".tflite", ".json")]
    if result.passed:
        for path in rejected:
            if os.path.exists(path):
                os.remove(path)
        return accepted[0], accepted[1]
    os.makedirs(rejected_dir, exist_ok=True)
    for src, dst in zip(accepted, rejected):
        shutil.move(src, dst)
    return rejected[0], rejected[1]
