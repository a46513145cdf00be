"""Dataflow launches of the three Beam jobs (preprocess, evaluate, analyze): the exact command, from the bucket layout.

Direct launch (default): this machine runs ``python -m beam_pipelines.{preprocess,evaluate,analyze}`` with
``--runner=DataflowRunner``; the job's workers run the lvseg-beam image (infra/beam/Dockerfile), which
holds lvseg and every pinned dependency, so workers install nothing. The launcher waits for the job,
then prints the manifest (preprocess) or writes the report (evaluate, analyze), as the local commands do.
Flex launch (preprocess only): ``gcloud dataflow flex-template run`` of the template built from the
same image (see lvseg.cloud.flex and infra/README.md); nothing but gcloud is needed locally.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lvseg import flags
from lvseg.cloud.common import Target
from lvseg.cloud.flex import flags_to_parameters
from lvseg.flags import OptionError

NO_IMAGE = "none"


@dataclass(frozen=True)
class Workers:
    """Dataflow worker pool: machine type and count, and how workers get lvseg."""

    worker_machine_type: str = field(default="n1-standard-4", metadata={"help": "Compute Engine machine type"})
    max_num_workers: int = field(default=10, metadata={"min": 1, "help": "autoscaling ceiling; a cost guard"})
    num_workers: int | None = field(default=None, metadata={"min": 1, "help": "initial workers; None means Dataflow's"})
    disk_size_gb: int | None = field(default=None, metadata={"help": "worker disk, GB; None means Dataflow's"})
    worker_image: str | None = field(default=None, metadata={
        "help": "SDK container image of the workers (default: the lvseg-beam image of --repository/--image-tag; "
                "'none': Beam's stock image, then give --setup-file)"})
    setup_file: str | None = field(default=None, metadata={
        "help": "ship this checkout's code to the workers (e.g. ./setup.py); slower worker start-up"})

    def image(self, target: Target) -> str | None:
        if self.worker_image == NO_IMAGE:
            return None
        return self.worker_image or target.images.beam

    def validate(self, target: Target) -> None:
        """The rule that spans fields (and the target): workers get lvseg from an image or a setup file."""
        flags.check_limits(self)
        if self.image(target) is None and not self.setup_file:
            raise OptionError("workers need lvseg: keep a worker image or give --setup-file ./setup.py")


def beam_flags(target: Target, workers: Workers, job_name: str) -> list[str]:
    """Beam pipeline options of a Dataflow job (``--name=value`` so they never mix with the job's flags)."""
    layout = target.layout
    flags = ["--runner=DataflowRunner", f"--project={target.project}", f"--region={target.region}",
             f"--job_name={job_name}", f"--temp_location={layout.temp}", f"--staging_location={layout.staging}",
             f"--worker_machine_type={workers.worker_machine_type}", f"--max_num_workers={workers.max_num_workers}"]
    if workers.num_workers is not None:
        flags.append(f"--num_workers={workers.num_workers}")
    if workers.disk_size_gb is not None:
        flags.append(f"--disk_size_gb={workers.disk_size_gb}")
    image = workers.image(target)
    if image:
        flags.append(f"--sdk_container_image={image}")
    if workers.setup_file:
        flags.append(f"--setup_file={workers.setup_file}")
    if target.service_account:
        flags.append(f"--service_account_email={target.service_account}")
    return flags


def preprocess_args(target: Target, data: str, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The preprocess job's own flags: dataset under raw/ (or a gs:// URI) -> gs://BUCKET/records."""
    layout = target.layout
    return ["--data", layout.resolve_dataset(data), "--out", layout.records, *extra]


def evaluate_args(target: Target, models: tuple[str, ...] | list[str], report: str, external: str | None = None,
                  extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The evaluate job's own flags: trained models (names under models/ or gs:// MODEL_DIRs / .tflite)."""
    layout = target.layout
    if not models:
        raise OptionError("give at least one model")
    args = ["--models", *[layout.resolve_model(m) for m in models], "--records", layout.records]
    if external:
        args += ["--external", layout.resolve_dataset(external)]
    return args + ["--out", layout.report_dir(report), *extra]


def analyze_args(target: Target, data: str, models: tuple[str, ...] | list[str], name: str,
                 extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The analyze job's own flags: every video of a dataset under raw/ (or a gs:// URI) -> gs://BUCKET/analyses/NAME."""
    layout = target.layout
    if not models:
        raise OptionError("give at least one model")
    return ["--videos", layout.resolve_dataset(data), "--models", *[layout.resolve_model(m) for m in models],
            "--out", layout.analysis_dir(name), *extra]


def direct_command(module: str, job_args: list[str], flags: list[str], python: str = "python") -> list[str]:
    """``python -m MODULE JOB_ARGS BEAM_FLAGS``: run where lvseg is installed; Dataflow does the work."""
    return [python, "-m", module, *job_args, *flags]


def flex_run_command(target: Target, workers: Workers, job_name: str, template: str,
                     job_args: list[str]) -> list[str]:
    """``gcloud dataflow flex-template run`` with the job's flags as template parameters."""
    layout = target.layout
    argv = ["gcloud", "dataflow", "flex-template", "run", job_name, f"--project={target.project}",
            f"--region={target.region}", f"--template-file-gcs-location={template}",
            f"--temp-location={layout.temp}", f"--staging-location={layout.staging}",
            f"--worker-machine-type={workers.worker_machine_type}", f"--max-workers={workers.max_num_workers}"]
    if workers.num_workers is not None:
        argv.append(f"--num-workers={workers.num_workers}")
    if target.service_account:
        argv.append(f"--service-account-email={target.service_account}")
    params = flags_to_parameters(job_args)
    image = workers.image(target)
    if image:
        params.append(f"sdk_container_image={image}")
    if workers.disk_size_gb is not None:
        params.append(f"disk_size_gb={workers.disk_size_gb}")
    return argv + [f"--parameters={p}" for p in params]


def flex_build_command(target: Target, template: str, metadata_file: str) -> list[str]:
    """``gcloud dataflow flex-template build``: the template spec pointing at the lvseg-beam image (once per image)."""
    return ["gcloud", "dataflow", "flex-template", "build", template, f"--project={target.project}",
            f"--image={target.images.beam}", "--sdk-language=PYTHON", f"--metadata-file={metadata_file}"]
