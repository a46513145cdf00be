"""Short fine-tunes with tensorflow-model-optimization: quantization-aware training and magnitude pruning.

Both start from the trained float model and run a few hundred steps on TRAIN frames at a low learning
rate; they are repairs of an already-good model, not training. TFMOT only accepts tf_keras
(Keras 2) Functional models, which is what lvseg.tf_backend pins.

Pruning + QAT uses TFMOT's prune-preserving scheme (PQAT) so the zeros survive quantization. PQAT
rejects Conv2DTranspose ("Layer ... is not supported"): it works for the compact preset (bilinear
UpSampling2D decoder) but not for the paper preset's transposed convolutions; ``check_pqat_supported``
says so before any time is spent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from export.config import ExportError
from export.data import FrameSet
from lvseg.geometry.heatmaps import HEATMAP_SCALE
from lvseg.inference.encode import to_model_input
from lvseg.tf_backend import keras, tf


@dataclass(frozen=True)
class FineTune:
    """Settings of a short fine-tune (QAT or pruning)."""

    steps: int = 200
    batch_size: int = 16
    learning_rate: float = 1e-4
    seed: int = 0


def _tfmot():
    import tensorflow_model_optimization as tfmot  # heavy, and flips TF_USE_LEGACY_KERAS: import on use

    return tfmot


def stored_targets(kind: str, frames: FrameSet) -> tuple[np.ndarray, float]:
    """The targets as stored (uint8: the LV mask (N, H, W, 1), with the base band as a second channel when the
    frames carry bands, or the heatmaps (N, H, W, K)) and the divisor that brings them to [0, 1] (1 for the 0/1
    mask and band, lvseg.geometry.heatmaps.HEATMAP_SCALE for heatmaps)."""
    if kind == "mask":
        if frames.bands is not None:
            return np.stack([frames.masks, frames.bands], axis=-1), 1.0
        return frames.masks[..., None], 1.0
    if frames.heatmaps is None:
        raise ValueError("landmark fine-tuning needs the frames' heatmaps")
    return frames.heatmaps, HEATMAP_SCALE


def targets(kind: str, frames: FrameSet) -> np.ndarray:
    """Training targets in [0, 1] as float32 (see stored_targets)."""
    stored, divisor = stored_targets(kind, frames)
    return stored.astype(np.float32) / divisor


def _dataset(kind: str, frames: FrameSet, settings: FineTune):
    """Shuffled, repeated batches; targets stay uint8 in memory (heatmaps as float32 would be 4x larger)."""
    x = to_model_input(frames.images)  # the one input normalization (a few hundred frames: ~15 MB as float)
    y, divisor = stored_targets(kind, frames)

    def to_float(image, target):
        return image, tf.cast(target, tf.float32) / divisor

    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(y), seed=settings.seed)
    return data.repeat().map(to_float).batch(settings.batch_size)


def _fit(model: keras.Model, kind: str, frames: FrameSet, settings: FineTune, loss: Callable,
         callbacks: list | None = None) -> None:
    tf.random.set_seed(settings.seed)
    model.compile(optimizer=keras.optimizers.Adam(settings.learning_rate), loss=loss)
    model.fit(_dataset(kind, frames, settings), epochs=1, steps_per_epoch=settings.steps, verbose=0,
              callbacks=callbacks or [])


def _finetune_copy(model: keras.Model) -> keras.Model:
    """A copy of ``model`` to fine-tune, with every BatchNormalization frozen.

    A frozen tf_keras BN runs in inference mode, so its moving statistics (estimated over the whole
    training run) are not dragged towards a few hundred small fine-tuning batches; the convolutions
    still adapt to quantization or pruning. The flag survives TFMOT's cloning.
    """
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    for layer in copy.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    return copy


def check_pqat_supported(model: keras.Model) -> None:
    """Raise ExportError when prune-preserving QAT cannot handle the model (Conv2DTranspose layers)."""
    transposed = [layer.name for layer in model.layers if isinstance(layer, keras.layers.Conv2DTranspose)]
    if transposed:
        raise ExportError(
            "prune-preserving QAT (--prune with --quantize qat) does not support Conv2DTranspose "
            f"({', '.join(transposed[:3])}...): use the compact preset (bilinear UpSampling2D decoder), "
            "or prune with the other variants, or QAT without --prune")


def quantization_aware(model: keras.Model, kind: str, frames: FrameSet, settings: FineTune,
                       loss: Callable, preserve_sparsity: bool = False) -> keras.Model:
    """A QAT copy of ``model`` (FakeQuant on weights and activations) fine-tuned for ``settings.steps`` with
    ``loss``, the one the model was trained with (trainer.losses.trained_loss; its targets are ``frames``').

    The fine-tune also learns the activation ranges (including the input's), so even a handful of
    steps is needed before conversion: an untrained QAT model has near-zero ranges.
    """
    tfmot = _tfmot()
    base = _finetune_copy(model)
    if preserve_sparsity:
        check_pqat_supported(base)
        annotated = tfmot.quantization.keras.quantize_annotate_model(base)
        qat = tfmot.quantization.keras.quantize_apply(
            annotated, tfmot.experimental.combine.Default8BitPrunePreserveQuantizeScheme())
    else:
        qat = tfmot.quantization.keras.quantize_model(base)
    _fit(qat, kind, frames, settings, loss)
    return qat


def pruning_schedule(sparsity: float, steps: int):
    """Polynomial ramp 0 -> ``sparsity`` that is guaranteed to reach it within ``steps``.

    TFMOT prunes only at steps where (step - begin) % frequency == 0 and step <= end_step, so the
    end step is placed on that grid, at ~70 % of the run, leaving the rest to recover at full sparsity.
    (Defaults such as end_step=-1 or a frequency of 100 leave 0 % sparsity in a short run.) ``steps`` is at
    least 2 (ExportConfig.prune_steps).
    """
    frequency = max(1, steps // 20)
    end_step = max(frequency, (int(0.7 * steps) // frequency) * frequency)
    return _tfmot().sparsity.keras.PolynomialDecay(initial_sparsity=0.0, final_sparsity=sparsity,
                                                   begin_step=0, end_step=end_step, frequency=frequency)


def pruned(model: keras.Model, kind: str, frames: FrameSet, sparsity: float, settings: FineTune,
           loss: Callable) -> keras.Model:
    """A copy of ``model`` with ``sparsity`` of every conv kernel zeroed by magnitude, fine-tuned with ``loss``
    (as quantization_aware), wrappers stripped.

    ``sparsity`` is ExportConfig.prune's, in (0, 0.99].
    """
    tfmot = _tfmot()
    base = _finetune_copy(model)
    schedule = pruning_schedule(sparsity, settings.steps)
    wrapped = tfmot.sparsity.keras.prune_low_magnitude(base, pruning_schedule=schedule)
    _fit(wrapped, kind, frames, settings, loss, callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    return tfmot.sparsity.keras.strip_pruning(wrapped)


def kernel_sparsity(model: keras.Model) -> float:
    """Fraction of exact zeros over all conv kernels (what pruning actually achieved)."""
    kernels = [layer.kernel.numpy() for layer in model.layers
               if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose))]
    total = sum(k.size for k in kernels)
    return float(sum(int(np.count_nonzero(k == 0)) for k in kernels) / total) if total else 0.0
