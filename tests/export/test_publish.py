"""EXPORT_DIR is published like every stage's output: a killed, terminated or concurrent export leaves the
previous complete export in place, and a folder of files no export published is refused.

A real (untrained) tiny model and real exports through the command line; kills are real signals sent to
a real ``lvseg export`` subprocess while it works in its staging folder.
"""

from __future__ import annotations

import glob
import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest

from lvseg.cli import main
from lvseg.publish import read_complete
from tests.conftest import REPO_ROOT
from tests.export.test_pipeline import train_tiny

pytestmark = pytest.mark.slow  # several exports and TensorFlow start-ups (about a CPU-minute)


@pytest.fixture(scope="module")
def model(records_root, tmp_path_factory) -> str:
    return train_tiny(records_root, str(tmp_path_factory.mktemp("untrained")), steps=0)


def args(model: str, records: str, out: str, *extra: str) -> list[str]:
    return ["--model", model, "--records", records, "--out", out, "--quantize", "float32", "--max-drop", "1",
            "--latency-runs", "2", *extra]


def digest(out: str) -> dict[str, str]:
    return {os.path.relpath(p, out): hashlib.sha256(open(p, "rb").read()).hexdigest()
            for p in glob.glob(os.path.join(out, "**"), recursive=True) if os.path.isfile(p)}


def start_export(model: str, records: str, out: str) -> subprocess.Popen:
    """An export that spends long in its staging folder (many latency runs); returns once it is there."""
    child = subprocess.Popen([sys.executable, "-m", "lvseg.cli", "export",
                              *args(model, records, out, "--latency-runs", "100000")],
                             cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 240
    while not glob.glob(os.path.join(out, ".tmp-*", "float32.tflite")):
        assert child.poll() is None and time.time() < deadline, child.communicate()
        time.sleep(0.2)
    return child


def test_a_folder_of_files_no_export_published_is_refused(model, records_root, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "float32.tflite").write_bytes(b"a model a user put here")
    assert main(["export", *args(model, records_root, str(out))]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already holds float32.tflite" in err[0]
    assert (out / "float32.tflite").read_bytes() == b"a model a user put here"
    assert sorted(os.listdir(out)) == ["float32.tflite"]


def test_a_killed_or_terminated_re_export_keeps_the_shipped_model(model, records_root, tmp_path, capsys):
    out = str(tmp_path / "export")
    assert main(["export", *args(model, records_root, out)]) == 0
    shipped = digest(out)
    assert set(shipped) == {"float32.tflite", "float32.json", "manifest.json"}

    child = start_export(model, records_root, out)
    assert main(["export", *args(model, records_root, out)]) == 2  # a second export at once is refused
    assert "is being written by run" in capsys.readouterr().err
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 143 and err.strip().splitlines()[-1].endswith(
        "terminated (SIGTERM); no output was left half-written")
    assert sorted(os.listdir(out)) == ["float32.json", "float32.tflite", "manifest.json"]  # no lock, no staging
    assert digest(out) == shipped

    child = start_export(model, records_root, out)
    child.kill()  # SIGKILL: no clean-up at all; the next export takes over the lock and removes the staging
    child.communicate(timeout=60)
    assert {k: v for k, v in digest(out).items() if not k.startswith(".")} == shipped
    assert read_complete(out)["files"].keys() == {"float32.tflite", "float32.json"}
    assert main(["export", *args(model, records_root, out, "--name", "second")]) == 0
    assert sorted(os.listdir(out)) == ["float32.json", "float32.tflite", "manifest.json", "second_float32.json",
                                       "second_float32.tflite"]
    assert {k: v for k, v in digest(out).items() if k.startswith("float32")} == \
        {k: v for k, v in shipped.items() if k.startswith("float32")}
    assert set(read_complete(out)["files"]) == {"float32.tflite", "float32.json", "second_float32.tflite",
                                                 "second_float32.json"}
