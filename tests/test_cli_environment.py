"""Errors of the environment through the real command line: one line, exit 2 (130 / 143 for Ctrl-C and
SIGTERM), no traceback, nothing half-published, no staging or lock left behind.

Real failures, not mocks: a full disk and a read-only one are tiny tmpfs mounts (skipped where this
process cannot mount), a permission error is a root process without its file-permission capabilities
(setpriv), an unreachable endpoint is a closed port, missing credentials a credentials file that is not
there, a damaged shard a flipped bit, and signals are real signals sent to a real ``lvseg analyze``.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow  # each case starts lvseg (and mostly Beam) in a subprocess
LITERT_NOISE = "INFO: Created TensorFlow Lite"  # printed by the LiteRT C++ runtime, not by lvseg


@pytest.fixture(scope="module")
def videos(synthetic_root, tmp_path_factory) -> str:
    """A plain folder of three of the synthetic videos (a short analysis)."""
    folder = tmp_path_factory.mktemp("plain")
    for path in sorted(glob.glob(os.path.join(synthetic_root, "Videos", "*.avi")))[:3]:
        shutil.copy(path, folder)
    return str(folder)


def lvseg(*argv: str, env: dict | None = None, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    environment = {**os.environ, **(env or {})}
    return subprocess.run([*prefix, sys.executable, "-m", "lvseg.cli", *argv], cwd=REPO_ROOT, env=environment,
                          capture_output=True, text=True, timeout=300)


def error_line(done: subprocess.CompletedProcess) -> str:
    lines = [line for line in done.stderr.strip().splitlines() if not line.startswith(LITERT_NOISE)]
    assert len(lines) == 1, done.stderr
    return lines[0]


def analyze(videos: str, model: str, out: str, **kwargs) -> subprocess.CompletedProcess:
    return lvseg("analyze", "--videos", videos, "--models", model, "--out", out, **kwargs)


@pytest.fixture
def tmpfs(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (not root, or no mount permission)")
    yield str(mount)
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_is_one_line_and_leaves_no_staging(videos, model_files, tmpfs):
    out = os.path.join(tmpfs, "analysis")
    done = analyze(videos, model_files[1], out)
    assert done.returncode == 2
    assert error_line(done) == "lvseg analyze: error: no space left on the device"
    assert os.listdir(out) == []  # the failed run's staging and its lock are gone


def test_a_read_only_output_is_one_line(videos, model_files, tmpfs):
    subprocess.run(["mount", "-o", "remount,ro", tmpfs], check=True)
    out = os.path.join(tmpfs, "analysis")
    done = analyze(videos, model_files[1], out)
    assert done.returncode == 2
    assert error_line(done) == f"lvseg analyze: error: read-only file system: {out}"


def test_a_permission_denied_output_is_one_line(videos, model_files, tmp_path):
    if not shutil.which("setpriv") or os.geteuid() != 0:
        pytest.skip("needs root and setpriv to drop the file-permission capabilities")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    drop = ("setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search")
    done = analyze(videos, model_files[1], str(locked / "analysis"), prefix=drop)
    assert done.returncode == 2
    assert error_line(done) == f"lvseg analyze: error: Permission denied: {locked / 'analysis'}"


def test_an_unreachable_storage_endpoint_fails_within_its_deadline(model_files, tmp_path):
    started = time.monotonic()
    done = analyze("gs://bucket/videos", model_files[1], str(tmp_path / "a"),
                   env={"STORAGE_EMULATOR_HOST": "http://127.0.0.1:9", "LVSEG_GCS_DEADLINE_S": "2"})
    assert done.returncode == 2 and time.monotonic() - started < 60  # the client's own deadline is 120 s
    assert error_line(done).startswith("lvseg analyze: error: Cloud Storage did not answer within the deadline")
    assert not (tmp_path / "a").exists()


def test_missing_cloud_credentials_are_one_line(model_files, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "STORAGE_EMULATOR_HOST"}
    env.update(GOOGLE_APPLICATION_CREDENTIALS=str(tmp_path / "no-key.json"), NO_GCE_CHECK="True")
    done = subprocess.run([sys.executable, "-m", "lvseg.cli", "analyze", "--videos", "gs://bucket/videos",
                           "--models", model_files[1], "--out", str(tmp_path / "a")], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert error_line(done).startswith("lvseg analyze: error: no Google Cloud credentials")


def test_a_bit_rotted_shard_is_one_line(records_root, model_files, tmp_path):
    records = tmp_path / "records"
    shutil.copytree(records_root, records)
    shard = sorted((records / "frames").glob("val-*"))[0]
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0x40  # same size: the manifest's listing still matches
    shard.write_bytes(bytes(data))
    done = lvseg("export", "--model", model_files[0], "--records", str(records), "--out", str(tmp_path / "x"),
                 "--quantize", "float32")
    assert done.returncode == 2
    assert error_line(done).startswith("lvseg export: error: a records file is damaged")
    assert not (tmp_path / "x").exists() or os.listdir(tmp_path / "x") == []


@pytest.mark.parametrize("signum, status, word", [(signal.SIGINT, 130, "interrupted"),
                                                   (signal.SIGTERM, 143, "terminated (SIGTERM)")])
def test_a_signal_mid_run_is_one_line_and_publishes_nothing(videos, model_files, tmp_path, signum, status, word):
    out = str(tmp_path / "analysis")
    child = subprocess.Popen([sys.executable, "-m", "lvseg.cli", "analyze", "--videos", videos, "--models",
                              model_files[1], "--out", out], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             # a test run started as a background job inherits SIGINT ignored: a user's
                             # terminal would deliver it, so the child starts with the default disposition
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 240
    while not glob.glob(os.path.join(out, ".tmp-*", "work")):  # the job has staged its plan
        assert child.poll() is None and time.time() < deadline, child.communicate()
        time.sleep(0.05)
    child.send_signal(signum)
    _, err = child.communicate(timeout=120)
    assert child.returncode == status
    assert error_line(subprocess.CompletedProcess([], status, "", err)) == \
        f"lvseg analyze: {word}; no output was left half-written"
    assert os.listdir(out) == []
