"""TrainConfig: every training option with its default, its flag (via lvseg.flags) and the cloud paths.

Path precedence is flag > Vertex AI environment > default:
  --out              > AIP_MODEL_DIR
  --checkpoint-dir   > AIP_CHECKPOINT_DIR        > MODEL_DIR/backup
  --tensorboard-dir  > AIP_TENSORBOARD_LOG_DIR   > MODEL_DIR/logs
Vertex AI hands out ``gs://`` URIs; where its Cloud Storage FUSE mount (/gcs/BUCKET/...) exists they
are rewritten to it, so the plain file APIs used for saving and the TFRecord reader both work.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping

from lvseg import flags
from lvseg.flags import add_dataclass_flags, from_namespace
from lvseg.inference.decode import MODEL_KINDS
from trainer.presets import PRESETS

GCS_MOUNT = "/gcs"
HEATMAP_LOSSES = ("bce", "weighted_bce", "mse")  # trainer.losses.HEATMAP_LOSSES, named here without TensorFlow
DEFAULT_HEATMAP_LOSS = "weighted_bce"  # measured best (trainer.losses); export falls back to it too


@dataclass(frozen=True)
class TrainConfig:
    """Options of one training run; the effective values land in MODEL_DIR/config.json."""

    model: str = field(default="mask", metadata={"help": "which U-Net to train", "choices": MODEL_KINDS})
    records: str = field(default="", metadata={
        "required": True, "help": "RECORDS root written by preprocessing (local, /gcs/ or gs://)"})
    extra_train_records: tuple[str, ...] = field(default=(), metadata={
        "help": "more RECORDS roots whose TRAIN frames join the training set (their VAL and TEST are not used), "
                "e.g. another synthetic seed, or synthetic records beside real ones; each must hold the main "
                "records' landmark scheme, heatmap sigma and schema"})
    out: str | None = field(default=None, metadata={"help": "MODEL_DIR for model.keras, config.json, history; "
                                                             "unset: $AIP_MODEL_DIR"})
    checkpoint_dir: str | None = field(default=None, metadata={
        "help": "backup for preemption recovery; unset: $AIP_CHECKPOINT_DIR, else MODEL_DIR/backup"})
    tensorboard_dir: str | None = field(default=None, metadata={
        "help": "TensorBoard logs; unset: $AIP_TENSORBOARD_LOG_DIR, else MODEL_DIR/logs"})
    epochs: int = field(default=30, metadata={"min": 1, "help": "number of epochs"})
    batch_size: int = field(default=16, metadata={
        "min": 1, "help": "batch size per replica (global = this x replicas)"})
    learning_rate: float = field(default=1e-3, metadata={"above": 0, "help": "Adam learning rate"})
    # Measured on the demo's records (20 epochs, seed 0), cosine against constant: TEST pooled Dice 0.9595 vs
    # 0.9593 (mask), 0.9494 vs 0.9483 (landmarks), and the last epochs' val_dice settles (0.955-0.958 against
    # 0.945-0.957); but EF on the demo's analysis set (seed 1, B-mode clips) was no better (mask MAE 4.21 vs
    # 3.93, landmarks 6.28 vs 5.97; run-to-run noise): the default stays constant.
    lr_schedule: str = field(default="constant", metadata={
        "help": "learning rate per epoch: 'constant', or 'cosine' from --learning-rate down to 2 %% of it at the "
                "last epoch", "choices": ("constant", "cosine")})
    preset: str = field(default="compact", metadata={"help": "U-Net size", "choices": tuple(PRESETS)})
    filters: tuple[int, ...] = field(default=(), metadata={"min": 1,
        "help": "override the preset's filters per level, e.g. 4 8 16 (tests, experiments)"})
    dropout: float | None = field(default=None, metadata={
        "min": 0, "max": 0.95, "help": "bottleneck dropout; unset: the preset's"})
    output_prior: bool = field(default=True, metadata={
        "help": "start the output bias at the targets' mean (logit) instead of 0.5"})
    loss: str = field(default=DEFAULT_HEATMAP_LOSS, metadata={
        "help": "landmark heatmap loss: weighted_bce (measured best), bce (the study's), mse; "
                "the mask model uses Dice + BCE (see --base-weight)",
        "choices": HEATMAP_LOSSES, "applies_to": "landmarks"})
    base_weight: float = field(default=4.0, metadata={
        "min": 0, "applies_to": "mask",
        "help": "mask model: extra BCE weight (1 + this) of pixels just beyond the true base line (the atrial side "
                "of the mitral annulus) and outside the true LV; 0 = plain Dice + BCE "
                "(4: measured, see trainer.losses)"})
    area_weight: float = field(default=0.0, metadata={
        "min": 0, "applies_to": "mask",
        "help": "mask model: add this x each frame's relative soft-area error to the loss (trainer.losses)"})
    dice_weight: float = field(default=1.0, metadata={
        "min": 0, "applies_to": "mask",
        "help": "mask model: weight of the soft Dice term beside the BCE; 0 = BCE alone (trainer.losses)"})
    base_band: float = field(default=25.0, metadata={
        "above": 0, "applies_to": "mask", "help": "depth in pixels beyond the base segment that --base-weight covers"})
    landmark_scheme: str | None = field(default=None, metadata={
        "help": "assert the records use this landmark scheme; unset: whatever the records hold"})
    heatmap_targets: str = field(default="render", metadata={
        "help": "landmark targets: 'render' Gaussians at the augmented landmarks (fixed sigma, small cache) "
                "or 'warp' the stored heatmaps with the same transform as the image",
        "choices": ("render", "warp"), "applies_to": "landmarks"})
    seed: int = field(default=42, metadata={
        "min": 0, "max": 2**32 - 1, "help": "seed of weights, shuffling and augmentation"})
    augment: bool = field(default=True, metadata={"help": "on-the-fly augmentation of training frames"})
    flip: bool = field(default=True, metadata={"help": "random horizontal flip (mirrors anatomy, as in the study)"})
    rotation_deg: float = field(default=20.0, metadata={"min": 0, "max": 180, "help": "max rotation, degrees"})
    zoom: float = field(default=0.2, metadata={"min": 0, "max": 0.9, "help": "max relative zoom in or out"})
    shift: float = field(default=0.0, metadata={
        "min": 0, "max": 0.5, "help": "max translation, fraction of the frame size"})
    gain: float = field(default=0.15, metadata={"min": 0, "max": 0.9, "help": "max relative intensity gain change"})
    gamma: float = field(default=0.25, metadata={"min": 0, "help": "max relative gamma change (log-uniform)"})
    speckle: float = field(default=0.05, metadata={"min": 0, "help": "std of multiplicative speckle noise"})
    curve: float = field(default=0.3, metadata={
        "min": 0, "max": 0.9, "help": "max knot shift of a random monotone intensity curve (0 = off)"})
    bias: float = field(default=0.4, metadata={
        "min": 0, "max": 0.9, "help": "max strength of a smooth multiplicative bias field (0 = off)"})
    blur: float = field(default=1.0, metadata={"min": 0, "max": 5, "help": "max Gaussian blur sigma, px (0 = off)"})
    haze: float = field(default=0.25, metadata={
        "min": 0, "max": 1, "help": "max strength of an additive near-field haze fading with depth (0 = off)"})
    noise: float = field(default=0.04, metadata={
        "min": 0, "max": 0.5, "help": "max std of additive Gaussian noise (0 = off)"})
    declutter: float | None = field(default=None, metadata={
        "min": 0, "max": 1,
        "help": "train on frames that lost a share, drawn per frame from 0 to this, of their video's static clutter "
                "floor, as lvseg analyze --declutter shows frames (VAL: half of it; records of schema 3; 0 = frames "
                "as recorded; trainer.declutter); unset: 1 for the mask model, 0 for the landmark model (measured)"})
    wall_dropout: float = field(default=0.0, metadata={
        "min": 0, "max": 1, "help": "max share of the echo lost in a wall drop-out wedge of the sector (0 = off)"})
    steps_per_epoch: int | None = field(default=None, metadata={"min": 1,
        "help": "training steps per epoch; unset: one pass over TRAIN"})
    max_train_frames: int | None = field(default=None, metadata={"min": 1, "help": "use only the first N TRAIN frames"})
    max_val_frames: int | None = field(default=None, metadata={"min": 1, "help": "use only the first N VAL frames"})
    shuffle_buffer: int = field(default=4096, metadata={"min": 1,
        "help": "shuffle window, frames (each epoch is one full permutation when TRAIN is not larger)"})
    cache: str = field(default="auto", metadata={
        "help": "keep parsed frames in memory: auto (when under 4 GiB), memory, none",
        "choices": ("auto", "memory", "none")})
    mixed_precision: bool = field(default=False, metadata={"help": "mixed_float16 (GPUs only; ignored on CPU)"})
    strategy: str = field(default="auto", metadata={
        "help": "distribution strategy; auto follows the machine and TF_CONFIG/CLUSTER_SPEC",
        "choices": ("auto", "default", "mirrored", "multi_worker")})
    deterministic: bool = field(default=False, metadata={
        "help": "enable TF op determinism (slower; see trainer.task for what stays nondeterministic)"})
    verbose: int = field(default=1, metadata={
        "min": 0, "max": 2, "help": "0 quiet, 1 one line per epoch, 2 also Keras progress bars"})


# Measured on the tuning seed's looks (physiology seed 1, train preset, 20 clips in each of six looks;
# benchmarks/declutter.py, EF MAE at the true ED/ES frames, analysed at lvseg.inference.declutter.DEFAULT_STRENGTH):
# mask models trained with 1 against 0, two training seeds: mean over the looks 6.41 against 8.30 and 6.46 against
# 9.34 (a mask model trained on frames as recorded broke down on the hazed look at high shares), B-mode 4.41 / 4.36
# against 4.36 / 5.08; the landmark model trained with 1 gave 6.65 against 6.38, so it stays at 0.
# docs/synthetic_data.md, "Training on decluttered frames".
DEFAULT_DECLUTTER = {"mask": 1.0, "landmarks": 0.0}


def max_declutter(config: TrainConfig) -> float:
    """The most of its clutter floor a TRAIN frame may lose: --declutter, or the model kind's default."""
    return DEFAULT_DECLUTTER[config.model] if config.declutter is None else config.declutter


def val_share(max_share: float) -> float:
    """The share of their clutter floor VAL frames lose (and export's frames): the mean of the TRAIN frames' draw."""
    return max_share / 2


def recorded_options(config: TrainConfig) -> dict[str, Any]:
    """The options config.json records: every field, except those of the other model kind (``applies_to``)."""
    return {f.name: getattr(config, f.name) for f in fields(config)
            if f.metadata.get("applies_to", config.model) == config.model}


def parse_args(argv: list[str] | None) -> TrainConfig:
    """Flags -> TrainConfig (not yet resolved against the environment)."""
    parser = flags.ArgumentParser(prog="lvseg train", description="Train the mask or landmark U-Net.")
    add_dataclass_flags(parser, TrainConfig)
    return from_namespace(TrainConfig, parser.parse_args(argv))


def to_local_path(path: str | None, mount: str = GCS_MOUNT) -> str | None:
    """``gs://bucket/key`` -> ``/gcs/bucket/key`` where the FUSE mount exists; other paths unchanged."""
    return None if path is None else local_path(path, mount)


def local_path(path: str, mount: str = GCS_MOUNT) -> str:
    """``to_local_path`` of a path that is given."""
    if path.startswith("gs://") and os.path.isdir(mount):
        return os.path.join(mount, path[len("gs://"):])
    return path


@dataclass(frozen=True)
class RunDirs:
    """Where one run writes, every path resolved (trainer.task reads these, never the optional flags)."""

    out: str            # MODEL_DIR
    checkpoint: str     # backup for preemption recovery
    tensorboard: str


def resolve_paths(config: TrainConfig, env: Mapping[str, str] | None = None,
                  mount: str = GCS_MOUNT) -> TrainConfig:
    """Fill out/checkpoint_dir/tensorboard_dir from flags, then AIP_* variables, then MODEL_DIR defaults."""
    dirs = run_dirs(config, env, mount)
    return replace(config, out=dirs.out, checkpoint_dir=dirs.checkpoint, tensorboard_dir=dirs.tensorboard,
                   records=local_path(config.records, mount),
                   extra_train_records=tuple(local_path(r, mount) for r in config.extra_train_records))


def run_dirs(config: TrainConfig, env: Mapping[str, str] | None = None, mount: str = GCS_MOUNT) -> RunDirs:
    """The run's directories: flags, then AIP_* variables, then MODEL_DIR defaults (see the module doc)."""
    env = os.environ if env is None else env
    out = to_local_path(config.out or env.get("AIP_MODEL_DIR"), mount)
    if not out:
        raise flags.OptionError("no model directory: pass --out MODEL_DIR or set AIP_MODEL_DIR")
    checkpoint = to_local_path(config.checkpoint_dir or env.get("AIP_CHECKPOINT_DIR"), mount) \
        or os.path.join(out, "backup")
    tensorboard = to_local_path(config.tensorboard_dir or env.get("AIP_TENSORBOARD_LOG_DIR"), mount) \
        or os.path.join(out, "logs")
    return RunDirs(out, checkpoint, tensorboard)
