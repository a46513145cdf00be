"""The evaluation job's own options (Beam's are separate): one flag per field (lvseg.flags), no Beam import."""

from __future__ import annotations

from dataclasses import dataclass, field

from beam_pipelines.evaluate.frames import EXTERNAL_DATASET, split_dataset_name
from lvseg import flags
from lvseg.datasets.filelist import SPLITS


@dataclass(frozen=True)
class EvaluateOptions:
    """The job's own options (Beam's are separate); one flag per field."""

    models: tuple[str, ...] = field(default=(), metadata={
        "required": True, "help": "Keras MODEL_DIRs and/or .tflite files (model card <name>.json beside each); "
                                  "waist:M = mask model M with its masks cut at the waist"})
    records: str = field(default="", metadata={
        "required": True, "help": "RECORDS root written by preprocessing, local or gs://"})
    external: str = field(default="", metadata={"help": "external set in the CAMUS layout; empty = none"})
    out: str = field(default="", metadata={
        "required": True, "help": "REPORT_DIR: report.html, per_frame.csv, summary.json, images"})
    split: str = field(default="TEST", metadata={
        "help": "EchoNet split to score (any case)", "choices": SPLITS, "case": "upper"})
    declutter: float = field(default=0.0, metadata={
        "min": 0, "max": 1,
        "help": "the records' frames (and GIFs) lose this share of their video's static clutter floor before the "
                "models see them, as lvseg analyze --declutter shows frames (records of schema 3); the external "
                "set holds single frames with no clip and is scored as read; 0 = frames as recorded"})
    batch_size: int = field(default=32, metadata={"min": 1, "help": "largest inference batch"})
    gif_videos: int = field(default=3, metadata={"min": 0, "help": "number of videos animated as GIFs (0 = none)"})
    gif_max_frames: int = field(default=100, metadata={"min": 1, "help": "frames per GIF at most (from the start)"})
    bootstrap_samples: int = field(default=1000, metadata={
        "min": 1, "help": "bootstrap resamples of the pooled-Dice CI"})
    seed: int = field(default=0, metadata={"help": "bootstrap seed"})

    def validated(self) -> "EvaluateOptions":
        """The fields' own rules applied (lvseg.flags.check_limits: required, limits, upper-case split); no
        rule here spans fields. Raises OptionError."""
        return flags.check_limits(self)

    @property
    def dataset(self) -> str:
        return split_dataset_name(self.split)

    def datasets(self) -> list[str]:
        return [self.dataset] + ([EXTERNAL_DATASET] if self.external else [])
