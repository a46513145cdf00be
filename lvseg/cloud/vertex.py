"""Vertex AI custom jobs: the CustomJobSpec of a training or export run and the gcloud command for it.

Both run the lvseg-trainer image (infra/trainer/Dockerfile). Training uses its ENTRYPOINT
``python3 -m trainer.task`` with the trainer's flags as container args; ``baseOutputDirectory`` is
gs://BUCKET/models/NAME, so Vertex AI sets AIP_MODEL_DIR=.../model/, AIP_CHECKPOINT_DIR=.../checkpoints/
and AIP_TENSORBOARD_LOG_DIR=.../logs/ and the trainer needs no --out (trainer/config.py reads them).
More than one replica makes a chief pool (1 replica) and a worker pool (N-1 replicas); Vertex AI then
sets TF_CONFIG / CLUSTER_SPEC and the trainer picks MultiWorkerMirroredStrategy. Export overrides the
command with ``python3 -m export`` and works on the bucket through its Cloud Storage FUSE mount (/gcs/).

REST reference: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/CustomJobSpec
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lvseg import flags
from lvseg.cloud.bucket import BucketLayout, check_name
from lvseg.flags import OptionError
from lvseg.inference.decode import MODEL_KINDS
from trainer.presets import PRESETS

# Which machine family each GPU attaches to (Vertex AI rejects other combinations at submission).
ACCELERATOR_FAMILIES: dict[str, str] = {
    "NVIDIA_TESLA_T4": "n1",
    "NVIDIA_TESLA_V100": "n1",
    "NVIDIA_TESLA_P100": "n1",
    "NVIDIA_TESLA_P4": "n1",
    "NVIDIA_L4": "g2",
    "NVIDIA_TESLA_A100": "a2",
    "NVIDIA_A100_80GB": "a2",
    "NVIDIA_H100_80GB": "a3",
}
NO_ACCELERATOR = "none"


def env_problem(item: str) -> str | None:
    return None if "=" in item and item.split("=", 1)[0] else f"takes KEY=VALUE, got {item!r}"
EXPORT_COMMAND = ["python3", "-m", "export"]


@dataclass(frozen=True)
class Machines:
    """The machines of a custom job: type, GPUs, replicas, disk, Spot and limits."""

    machine_type: str = field(default="n1-standard-8", metadata={"help": "Compute Engine machine type per replica"})
    accelerator_type: str = field(default="NVIDIA_TESLA_T4", metadata={
        "help": "GPU type per replica, or 'none' for CPU only", "choices": (*ACCELERATOR_FAMILIES, NO_ACCELERATOR)})
    accelerator_count: int = field(default=1, metadata={"help": "GPUs per replica", "choices": (1, 2, 4, 8, 16)})
    replica_count: int = field(default=1, metadata={"min": 1,
        "help": "machines; above 1: one chief plus N-1 workers (multi-worker training)"})
    boot_disk_gb: int = field(default=100, metadata={"help": "boot disk size per replica, GB (pd-ssd)"})
    spot: bool = field(default=False, metadata={
        "help": "use Spot VMs (cheaper, may be preempted; training resumes from AIP_CHECKPOINT_DIR)"})
    restart_job_on_worker_restart: bool = field(default=False, metadata={
        "help": "restart the whole job when a worker restarts (always on for multi-worker jobs)"})
    timeout_hours: float = field(default=24.0, metadata={"above": 0, "help": "maximum running time; a cost guard"})
    env: tuple[str, ...] = field(default=(), metadata={
        "check": env_problem, "help": "extra container environment, KEY=VALUE ..."})
    spec_out: str | None = field(default=None, metadata={
        "help": "where to write the CustomJobSpec for gcloud; None means ./JOB_NAME.custom_job.json"})

    def validate(self) -> None:
        """Raise OptionError for settings Vertex AI would reject: the fields' rules, then the GPU's machine family."""
        flags.check_limits(self)
        if self.accelerator_type == NO_ACCELERATOR:
            return
        family = ACCELERATOR_FAMILIES[self.accelerator_type]
        if not self.machine_type.startswith(family + "-"):
            raise OptionError(f"{self.accelerator_type} attaches to {family}-* machines, not {self.machine_type}")

    def machine_spec(self) -> dict:
        spec: dict = {"machineType": self.machine_type}
        if self.accelerator_type != NO_ACCELERATOR:
            spec["acceleratorType"] = self.accelerator_type
            spec["acceleratorCount"] = self.accelerator_count
        return spec


@dataclass(frozen=True)
class TrainJob:
    """What to train; the model lands in gs://BUCKET/models/NAME/model."""

    model: str = field(default="mask", metadata={"help": "which U-Net to train", "choices": MODEL_KINDS})
    name: str | None = field(default=None, metadata={
        "help": "model name: outputs go to gs://BUCKET/models/NAME/; None means the --model value"})
    epochs: int | None = field(default=None, metadata={"min": 1, "help": "training epochs; None means the trainer's"})
    preset: str | None = field(default=None, metadata={
        "help": "U-Net size; None means the trainer's", "choices": tuple(PRESETS)})

    @property
    def model_name(self) -> str:
        return check_name(self.name or self.model, "model name")


@dataclass(frozen=True)
class ExportJob:
    """Which trained model to export; the TFLite files land in gs://BUCKET/exports/NAME."""

    name: str = field(default="mask", metadata={"help": "model name under gs://BUCKET/models/"})
    quantize: tuple[str, ...] = field(default=("int8",), metadata={"help": "TFLite variants (see lvseg export)"})


def trainer_args(job: TrainJob, layout: BucketLayout, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The container args: ``trainer.task`` flags. No --out: AIP_MODEL_DIR comes from baseOutputDirectory."""
    flags.check_limits(job)
    args = ["--model", job.model, "--records", layout.records]
    if job.epochs is not None:
        args += ["--epochs", str(job.epochs)]
    if job.preset is not None:
        args += ["--preset", job.preset]
    return args + list(extra)


def export_args(job: ExportJob, layout: BucketLayout, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """``export`` flags on the job's FUSE paths (/gcs/BUCKET/...): the exporter uses plain file APIs."""
    name = check_name(job.name, "model name")
    return ["--model", layout.fuse(layout.model_dir(name)), "--records", layout.fuse(layout.records),
            "--out", layout.fuse(layout.export_dir(name)), "--quantize", *job.quantize, *extra]


def custom_job_spec(machines: Machines, image: str, args: list[str], base_output: str | None = None,
                    command: list[str] | None = None, service_account: str | None = None) -> dict:
    """A CustomJobSpec (REST field names); pure, so tests compare it whole."""
    machines.validate()
    container: dict = {"imageUri": image, "args": list(args)}
    if command:
        container["command"] = list(command)
    if machines.env:
        container["env"] = [{"name": k, "value": v} for k, v in (item.split("=", 1) for item in machines.env)]
    pool = {
        "machineSpec": machines.machine_spec(),
        "replicaCount": 1,
        "diskSpec": {"bootDiskType": "pd-ssd", "bootDiskSizeGb": machines.boot_disk_gb},
        "containerSpec": container,
    }
    pools = [pool]
    if machines.replica_count > 1:
        # Pool 0 is the chief and must have exactly one replica; the others form pool 1.
        pools.append({**pool, "replicaCount": machines.replica_count - 1})
    scheduling: dict = {
        "timeout": f"{round(machines.timeout_hours * 3600)}s",
        "restartJobOnWorkerRestart": machines.restart_job_on_worker_restart or machines.replica_count > 1,
    }
    if machines.spot:
        scheduling["strategy"] = "SPOT"
    spec: dict = {"workerPoolSpecs": pools, "scheduling": scheduling}
    if base_output:
        spec["baseOutputDirectory"] = {"outputUriPrefix": base_output.rstrip("/") + "/"}
    if service_account:
        spec["serviceAccount"] = service_account
    return spec


def train_spec(job: TrainJob, machines: Machines, image: str, layout: BucketLayout,
               extra: list[str] | tuple[str, ...] = (), service_account: str | None = None) -> dict:
    """The training job: trainer args, baseOutputDirectory gs://BUCKET/models/NAME."""
    return custom_job_spec(machines, image, trainer_args(job, layout, extra), layout.model_base(job.model_name),
                           service_account=service_account)


def export_spec(job: ExportJob, machines: Machines, image: str, layout: BucketLayout,
                extra: list[str] | tuple[str, ...] = (), service_account: str | None = None) -> dict:
    """The export job: one replica running ``python3 -m export`` on the FUSE-mounted bucket."""
    if machines.replica_count != 1:
        raise OptionError("export runs on one replica")
    return custom_job_spec(machines, image, export_args(job, layout, extra), command=EXPORT_COMMAND,
                           service_account=service_account)


def gcloud_create(project: str, region: str, display_name: str, config_path: str) -> list[str]:
    """``gcloud ai custom-jobs create`` with the spec file (camelCase keys, as gcloud requires)."""
    return ["gcloud", "ai", "custom-jobs", "create", f"--project={project}", f"--region={region}",
            f"--display-name={display_name}", f"--config={config_path}"]
