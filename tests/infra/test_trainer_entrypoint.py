"""The trainer container's command, run here: ENTRYPOINT + the Vertex AI spec's args + the AIP_* variables.

Only two things differ from the container on Vertex AI: the interpreter (this one, for ``python3``) and
the records path (a local tiny set for gs://BUCKET/records). Everything else, flags included, comes
from infra/trainer/Dockerfile and lvseg.cloud.vertex unchanged.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from lvseg.cloud import vertex
from lvseg.cloud.bucket import BucketLayout
from tests.conftest import REPO_ROOT

ROOT = REPO_ROOT
TINY = ["--filters", "4", "8", "--batch-size", "4", "--steps-per-epoch", "2", "--max-train-frames", "8",
        "--max-val-frames", "4", "--verbose", "0"]


def entrypoint() -> list[str]:
    match = re.search(r"^ENTRYPOINT\s+(\[.*\])\s*$", (ROOT / "infra/trainer/Dockerfile").read_text(), re.M)
    return json.loads(match.group(1))


@pytest.mark.slow
def test_container_command_trains_into_the_aip_directories(records_root, tmp_path):
    layout = BucketLayout("gs://my-bucket")
    spec = vertex.train_spec(vertex.TrainJob(model="mask", epochs=1, preset="compact"), vertex.Machines(),
                             "image", layout, TINY)
    args = list(spec["workerPoolSpecs"][0]["containerSpec"]["args"])
    assert args[args.index("--records") + 1] == layout.records and "--out" not in args
    args[args.index("--records") + 1] = records_root
    command = entrypoint()
    assert command[:1] == ["python3"]
    env = {**os.environ, "AIP_MODEL_DIR": str(tmp_path / "model"), "AIP_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
           "AIP_TENSORBOARD_LOG_DIR": str(tmp_path / "logs"), "CUDA_VISIBLE_DEVICES": "-1"}
    env.pop("TF_CONFIG", None)
    env.pop("CLUSTER_SPEC", None)
    result = subprocess.run([sys.executable, *command[1:], *args], env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    written = json.loads((tmp_path / "model" / "config.json").read_text())
    assert (written["model"], written["epochs"], written["records"]) == ("mask", 1, records_root)
    assert (tmp_path / "model" / "model.keras").is_file()
    assert any((tmp_path / "logs").rglob("events.out.tfevents.*"))
    assert not (tmp_path / "checkpoints" / "chief").exists()  # the preemption backup is dropped on success
