"""Where every cloud artefact lives: the bucket layout and the container image names, in one place.

    gs://BUCKET/raw/echonet/          the EchoNet-Dynamic dataset as downloaded (FileList.csv, ...)
    gs://BUCKET/raw/<name>/           other datasets, e.g. an external test set
    gs://BUCKET/records/              TFRecords written by `lvseg cloud preprocess`
    gs://BUCKET/models/<name>/        Vertex AI baseOutputDirectory of a training job; the trainer
        model/  checkpoints/  logs/     gets AIP_MODEL_DIR / AIP_CHECKPOINT_DIR / AIP_TENSORBOARD_LOG_DIR
    gs://BUCKET/exports/<name>/       TFLite exports of a trained model, by `lvseg cloud export`
    gs://BUCKET/reports/<name>/       evaluation reports written by `lvseg cloud evaluate`
    gs://BUCKET/analyses/<name>/      video analyses (EF per video and beat) by `lvseg cloud analyze`
    gs://BUCKET/templates/            Dataflow flex-template spec files
    gs://BUCKET/dataflow/temp/        Dataflow temp_location
    gs://BUCKET/dataflow/staging/     Dataflow staging_location

Images live in Artifact Registry: REGION-docker.pkg.dev/PROJECT/REPOSITORY/{lvseg-trainer,lvseg-beam}:TAG.
All three `lvseg cloud` commands and infra/README.md use these names; change them here only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lvseg import __version__
from lvseg.flags import OptionError

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

TRAINER_IMAGE = "lvseg-trainer"
BEAM_IMAGE = "lvseg-beam"


def bucket_name(bucket: str) -> str:
    """``gs://b``, ``gs://b/`` or ``b`` -> ``b``; rejects paths below the bucket and invalid names."""
    name = bucket[len("gs://"):] if bucket.startswith("gs://") else bucket
    name = name.rstrip("/")
    if not _BUCKET.match(name):
        raise OptionError(f"not a Cloud Storage bucket name: {bucket!r} (expected gs://BUCKET)")
    return name


def check_name(name: str, what: str = "name") -> str:
    """A single path segment (model, report, dataset names): no slashes, no leading dot."""
    if not _NAME.match(name):
        raise OptionError(f"invalid {what} {name!r}: use letters, digits, '.', '_' or '-'")
    return name


@dataclass(frozen=True)
class BucketLayout:
    """The folders of one bucket; every method returns a ``gs://`` URI without a trailing slash."""

    bucket: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "bucket", bucket_name(self.bucket))

    @property
    def root(self) -> str:
        return f"gs://{self.bucket}"

    def raw(self, dataset: str = "echonet") -> str:
        return f"{self.root}/raw/{check_name(dataset, 'dataset name')}"

    @property
    def records(self) -> str:
        return f"{self.root}/records"

    def model_base(self, name: str) -> str:
        """A training job's baseOutputDirectory (Vertex AI adds model/, checkpoints/, logs/)."""
        return f"{self.root}/models/{check_name(name, 'model name')}"

    def model_dir(self, name: str) -> str:
        """The trained MODEL_DIR: what Vertex AI hands the trainer as AIP_MODEL_DIR."""
        return f"{self.model_base(name)}/model"

    def export_dir(self, name: str) -> str:
        return f"{self.root}/exports/{check_name(name, 'model name')}"

    def report_dir(self, name: str) -> str:
        return f"{self.root}/reports/{check_name(name, 'report name')}"

    def analysis_dir(self, name: str) -> str:
        return f"{self.root}/analyses/{check_name(name, 'analysis name')}"

    def template(self, pipeline: str) -> str:
        return f"{self.root}/templates/{check_name(pipeline, 'pipeline name')}.json"

    @property
    def temp(self) -> str:
        return f"{self.root}/dataflow/temp"

    @property
    def staging(self) -> str:
        return f"{self.root}/dataflow/staging"

    def fuse(self, uri: str) -> str:
        """``gs://BUCKET/x`` -> ``/gcs/BUCKET/x``: the path on Vertex AI's Cloud Storage FUSE mount."""
        if not uri.startswith(self.root + "/") and uri != self.root:
            raise ValueError(f"{uri} is not in {self.root}")
        return "/gcs/" + uri[len("gs://"):]

    def resolve_dataset(self, value: str) -> str:
        """A dataset given as a ``gs://`` URI stays as is; a bare name means ``raw/<name>``."""
        return value.rstrip("/") if value.startswith("gs://") else self.raw(value)

    def resolve_model(self, value: str) -> str:
        """A model given as a ``gs://`` MODEL_DIR stays as is; a bare name means ``models/<name>/model``."""
        return value.rstrip("/") if value.startswith("gs://") else self.model_dir(value)


@dataclass(frozen=True)
class ImageRegistry:
    """Artifact Registry names of the two images (built from infra/trainer and infra/beam)."""

    project: str
    region: str
    repository: str = "lvseg"
    tag: str = __version__

    @property
    def host(self) -> str:
        return f"{self.region}-docker.pkg.dev"

    def image(self, name: str) -> str:
        return f"{self.host}/{self.project}/{self.repository}/{name}:{self.tag}"

    @property
    def trainer(self) -> str:
        return self.image(TRAINER_IMAGE)

    @property
    def beam(self) -> str:
        return self.image(BEAM_IMAGE)
