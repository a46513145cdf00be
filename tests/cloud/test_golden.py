"""`lvseg cloud ... --dry-run` prints exactly the golden files in tests/golden/ (fixed job names and tag).

After an intended change: LVSEG_UPDATE_GOLDEN=1 pytest tests/test_cloud_golden.py, then review the diff.
"""

from __future__ import annotations

import io
import os
from datetime import datetime
from pathlib import Path

import pytest

from lvseg.cloud.cli import main

GOLDEN = Path(__file__).parent / "golden"
TARGET = ["--project", "my-proj", "--region", "us-central1", "--bucket", "gs://my-bucket", "--image-tag", "golden",
          "--dry-run"]
CASES = {
    "cloud_preprocess": ["preprocess", *TARGET, "--job-name", "lvseg-preprocess-golden"],
    "cloud_preprocess_flex": ["preprocess", *TARGET, "--job-name", "lvseg-preprocess-golden", "--launch", "flex",
                              "--max-num-workers", "20", "--", "--landmark-scheme", "contour12"],
    "cloud_train": ["train", *TARGET, "--job-name", "lvseg-train-mask-golden", "--model", "mask", "--epochs", "50",
                    "--preset", "paper"],
    "cloud_train_multiworker": ["train", *TARGET, "--job-name", "lvseg-train-landmarks-golden", "--model",
                                "landmarks", "--replica-count", "3", "--accelerator-type", "NVIDIA_L4",
                                "--machine-type", "g2-standard-8", "--spot", "--service-account",
                                "trainer@my-proj.iam.gserviceaccount.com", "--", "--batch-size", "32"],
    "cloud_export": ["export", *TARGET, "--job-name", "lvseg-export-mask-golden", "--name", "mask",
                     "--accelerator-type", "none", "--quantize", "int8", "float16"],
    "cloud_evaluate": ["evaluate", *TARGET, "--job-name", "lvseg-evaluate-golden", "--models", "mask", "landmarks",
                       "--external", "camus", "--report", "first-run"],
    "cloud_analyze": ["analyze", *TARGET, "--job-name", "lvseg-analyze-golden", "--models", "mask", "landmarks",
                      "--analysis", "all-videos", "--max-num-workers", "32"],
}


def _never(argv: list[str]) -> int:
    raise AssertionError(f"a dry run ran {argv}")


def _clock() -> datetime:
    raise AssertionError("a fixed --job-name must not read the clock")


@pytest.mark.parametrize("name", sorted(CASES))
def test_dry_run_matches_golden(name):
    out = io.StringIO()
    assert main(CASES[name], runner=_never, clock=_clock, out=out) == 0
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("LVSEG_UPDATE_GOLDEN"):
        path.write_text(out.getvalue())
    assert out.getvalue() == path.read_text(), f"{path.name} differs; see the module docstring to update it"
