"""Vertex AI CustomJob specs (pure functions) and `lvseg cloud train/export` with a fake gcloud runner."""

from __future__ import annotations

import io
import json

import pytest

from lvseg import cli
from lvseg.cloud import vertex
from lvseg.cloud.bucket import BucketLayout
from lvseg.cloud.cli import main
from trainer.config import parse_args as parse_trainer_args

LAYOUT = BucketLayout("gs://my-bucket")
IMAGE = "us-central1-docker.pkg.dev/my-proj/lvseg/lvseg-trainer:0.1.0"
TARGET = ["--project", "my-proj", "--region", "us-central1", "--bucket", "gs://my-bucket"]


def train_spec(job=vertex.TrainJob(), machines=vertex.Machines(), extra=(), **kwargs):
    return vertex.train_spec(job, machines, IMAGE, LAYOUT, extra, **kwargs)


def test_single_worker_gpu_spec_carries_every_field():
    spec = train_spec(vertex.TrainJob(model="landmarks", epochs=40, preset="paper"), service_account="sa@p.iam")
    (pool,) = spec["workerPoolSpecs"]
    assert pool["machineSpec"] == {"machineType": "n1-standard-8", "acceleratorType": "NVIDIA_TESLA_T4",
                                   "acceleratorCount": 1}
    assert pool["replicaCount"] == 1
    assert pool["diskSpec"] == {"bootDiskType": "pd-ssd", "bootDiskSizeGb": 100}
    assert pool["containerSpec"] == {"imageUri": IMAGE, "args": [
        "--model", "landmarks", "--records", "gs://my-bucket/records", "--epochs", "40", "--preset", "paper"]}
    assert spec["baseOutputDirectory"] == {"outputUriPrefix": "gs://my-bucket/models/landmarks/"}
    assert spec["scheduling"] == {"timeout": "86400s", "restartJobOnWorkerRestart": False}
    assert spec["serviceAccount"] == "sa@p.iam"
    json.dumps(spec)  # JSON-serializable as is


def test_container_args_are_valid_trainer_flags_without_out():
    args = train_spec(vertex.TrainJob(epochs=3, preset="compact"), extra=["--batch-size", "32"])[
        "workerPoolSpecs"][0]["containerSpec"]["args"]
    config = parse_trainer_args(args)
    assert (config.model, config.records, config.epochs, config.preset, config.batch_size) == \
        ("mask", "gs://my-bucket/records", 3, "compact", 32)
    assert config.out is None  # AIP_MODEL_DIR decides


def test_multi_worker_spec_has_one_chief_and_n_minus_one_workers():
    spec = train_spec(machines=vertex.Machines(replica_count=4, accelerator_count=2, spot=True))
    chief, workers = spec["workerPoolSpecs"]
    assert (chief["replicaCount"], workers["replicaCount"]) == (1, 3)
    assert chief["machineSpec"] == workers["machineSpec"] == {
        "machineType": "n1-standard-8", "acceleratorType": "NVIDIA_TESLA_T4", "acceleratorCount": 2}
    assert chief["containerSpec"] == workers["containerSpec"]
    assert spec["scheduling"] == {"timeout": "86400s", "restartJobOnWorkerRestart": True, "strategy": "SPOT"}


def test_cpu_only_env_and_timeout():
    machines = vertex.Machines(accelerator_type="none", machine_type="e2-standard-8", env=("A=1", "B=x=y"),
                               timeout_hours=1.5)
    (pool,) = train_spec(machines=machines)["workerPoolSpecs"]
    assert pool["machineSpec"] == {"machineType": "e2-standard-8"}
    assert pool["containerSpec"]["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "x=y"}]
    assert train_spec(machines=machines)["scheduling"]["timeout"] == "5400s"


@pytest.mark.parametrize("machines", [
    vertex.Machines(machine_type="g2-standard-8"),                            # T4 needs n1
    vertex.Machines(accelerator_type="NVIDIA_L4", machine_type="n1-standard-8"),
    vertex.Machines(accelerator_count=3),
    vertex.Machines(replica_count=0),
    vertex.Machines(env=("NOEQUALS",)),
    vertex.Machines(timeout_hours=0),
])
def test_invalid_machines_are_rejected(machines):
    with pytest.raises(ValueError):
        train_spec(machines=machines)


def test_matching_gpu_families_pass():
    for gpu, machine in [("NVIDIA_L4", "g2-standard-8"), ("NVIDIA_TESLA_A100", "a2-highgpu-1g"),
                         ("NVIDIA_TESLA_V100", "n1-highmem-8")]:
        spec = train_spec(machines=vertex.Machines(accelerator_type=gpu, machine_type=machine))
        assert spec["workerPoolSpecs"][0]["machineSpec"]["acceleratorType"] == gpu


def test_export_spec_runs_the_exporter_on_the_fuse_mount():
    spec = vertex.export_spec(vertex.ExportJob(name="mask", quantize=("int8", "qat")),
                              vertex.Machines(accelerator_type="none"), IMAGE, LAYOUT, ["--max-drop", "0.02"])
    container = spec["workerPoolSpecs"][0]["containerSpec"]
    assert container["command"] == ["python3", "-m", "export"]
    assert container["args"] == ["--model", "/gcs/my-bucket/models/mask/model", "--records", "/gcs/my-bucket/records",
                                 "--out", "/gcs/my-bucket/exports/mask", "--quantize", "int8", "qat",
                                 "--max-drop", "0.02"]
    from export.config import parse_args as parse_export_args
    assert parse_export_args(container["args"]).quantize == ("int8", "qat")
    with pytest.raises(ValueError):
        vertex.export_spec(vertex.ExportJob(), vertex.Machines(replica_count=2), IMAGE, LAYOUT)


def test_gcloud_create_command():
    assert vertex.gcloud_create("p", "us-central1", "job", "spec.json") == [
        "gcloud", "ai", "custom-jobs", "create", "--project=p", "--region=us-central1", "--display-name=job",
        "--config=spec.json"]


def test_train_without_dry_run_writes_the_spec_and_runs_gcloud(tmp_path):
    calls = []
    spec_path = tmp_path / "job.json"
    out = io.StringIO()
    status = main(["train", *TARGET, "--job-name", "lvseg-train-x", "--model", "landmarks", "--spec-out",
                   str(spec_path), "--", "--filters", "4", "8"], runner=lambda argv: calls.append(argv) or 0, out=out)
    assert status == 0
    assert calls == [["gcloud", "ai", "custom-jobs", "create", "--project=my-proj", "--region=us-central1",
                      "--display-name=lvseg-train-x", f"--config={spec_path}"]]
    written = json.loads(spec_path.read_text())
    assert written == train_spec(vertex.TrainJob(model="landmarks"), extra=["--filters", "4", "8"])


def test_dry_run_runs_nothing_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status = main(["train", *TARGET, "--dry-run"], runner=lambda argv: pytest.fail("ran"), out=io.StringIO())
    assert status == 0 and not list(tmp_path.iterdir())


def test_runner_status_is_returned_and_bad_flags_are_usage_errors(tmp_path, capsys, monkeypatch):
    assert main(["export", *TARGET, "--spec-out", str(tmp_path / "s.json")], runner=lambda argv: 5,
                out=io.StringIO()) == 5
    monkeypatch.chdir(tmp_path)  # the real `lvseg cloud` path below: refused before it writes or runs anything
    assert cli.main(["cloud", "train", *TARGET, "--machine-type", "g2-standard-4"]) == 2
    assert cli.main(["cloud", "train", "--project", "my-proj", "--region", "us-central1"]) == 2
    assert "the following arguments are required: --bucket" in capsys.readouterr().err

