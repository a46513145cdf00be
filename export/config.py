"""ExportConfig: every option of ``lvseg export`` with its default and flag (via lvseg.flags)."""

from __future__ import annotations

from dataclasses import dataclass, field

from export.gate import DEFAULT_MAX_DROP
from export.variants import VARIANTS
from lvseg import RESEARCH_NOTICE, flags
from lvseg.errors import UserError
from lvseg.flags import add_dataclass_flags, from_namespace

GATE_FAILED = 3


class ExportError(UserError, ValueError):
    """An export that cannot run as asked (reported as a one-line message and exit status 2)."""


def local_only(path: str) -> str | None:
    """Keras, the converter and the interpreter need files: on Vertex AI, the bucket's FUSE mount (lvseg cloud)."""
    return "must be a local path (on Vertex AI, the /gcs/BUCKET/... mount), not gs://" if path.startswith("gs://") \
        else None


@dataclass(frozen=True)
class ExportConfig:
    """Options of one export; every flag's default lives here."""

    model: str = field(default="", metadata={
        "required": True, "check": local_only, "help": "MODEL_DIR with model.keras and config.json"})
    records: str = field(default="", metadata={
        "required": True, "help": "RECORDS root: TRAIN frames calibrate/fine-tune, VAL frames gate"})
    out: str = field(default="", metadata={
        "required": True, "check": local_only, "help": "EXPORT_DIR for <name>.tflite + <name>.json"})
    quantize: tuple[str, ...] = field(default=("int8",), metadata={
        "help": "variants to export, several allowed", "choices": tuple(VARIANTS)})
    max_drop: float = field(default=DEFAULT_MAX_DROP, metadata={"min": 0,
        "help": "quality gate: reject a variant whose VAL Dice is more than this below the Keras model's"})
    representative_frames: int = field(default=300, metadata={"min": 1,
        "help": "int8 calibration: TRAIN frames drawn (seeded) as the representative dataset"})
    val_frames: int | None = field(default=None, metadata={"min": 1,
        "help": "VAL frames for the gate, a seeded sample (None: every VAL frame)"})
    seed: int = field(default=0, metadata={"help": "seed of frame sampling and fine-tuning"})
    finetune_frames: int = field(default=2000, metadata={
        "min": 1, "help": "TRAIN frames (seeded sample) for QAT and pruning"})
    qat_steps: int = field(default=200, metadata={"min": 1, "help": "quantization-aware fine-tuning steps"})
    qat_learning_rate: float = field(default=1e-4, metadata={"above": 0, "help": "Adam learning rate of QAT"})
    batch_size: int = field(default=16, metadata={"min": 1, "help": "batch size of QAT and pruning fine-tunes"})
    prune: float = field(default=0.0, metadata={"min": 0, "max": 0.99,
        "help": "target sparsity of conv kernels (e.g. 0.5) by magnitude pruning before conversion; 0 = off. "
                "Zeros shrink the compressed download, not the flatbuffer itself"})
    prune_steps: int = field(default=200, metadata={
        "min": 2, "help": "pruning fine-tune steps (sparsity ramps up over the first 70 percent)"})
    prune_learning_rate: float = field(default=1e-4, metadata={"above": 0, "help": "Adam learning rate of pruning"})
    latency_runs: int = field(default=50, metadata={
        "min": 1, "help": "timed invokes per thread count (after 5 warm-ups)"})
    name: str | None = field(default=None, metadata={
        "help": "file name prefix: EXPORT_DIR/<name>_<variant>.tflite (None: <variant>.tflite)"})


def parse_args(argv: list[str] | None) -> ExportConfig:
    """Flags -> ExportConfig; every rule is the fields' own (lvseg.flags), checked while parsing."""
    parser = flags.ArgumentParser(prog="lvseg export", epilog=RESEARCH_NOTICE, description=(
        "Convert a trained model to TFLite variants, each with a model card, and reject any variant whose "
        "validation Dice drops more than --max-drop below the Keras model's."))
    add_dataclass_flags(parser, ExportConfig)
    return from_namespace(ExportConfig, parser.parse_args(argv))

