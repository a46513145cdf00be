"""``lvseg preprocess`` prints its own lines only; LVSEG_VERBOSE=1 brings the libraries' lines back.

Two local worker processes make Beam log a WARN line per worker ("No semi_persistent_directory found"),
relayed by the driver: the line the quiet default must drop and the verbose run must show.
"""

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT
from tests.datasets.factory import Dataset

NOISE = re.compile(r"^[WIE]0000|cuInit|absl::InitializeLog|WARNING:apache_beam|apache_beam|XNNPACK|oneDNN|"
                   r"semi_persistent_directory", re.MULTILINE)


def preprocess(data: str, out: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("LVSEG_VERBOSE", "LVSEG_DEBUG")}
    environment.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the command must be quiet without help from the caller
    command = [sys.executable, "-c", "import sys; from lvseg.cli import main; sys.exit(main())", "preprocess",
               "--data", data, "--out", out, "--direct_num_workers", "2", "--direct_running_mode", "multi_processing"]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
                          env={**environment, **env})


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> str:
    return Dataset(tmp_path_factory.mktemp("tiny"), n=3).write()


def test_a_default_run_prints_only_lvseg_lines(data, tmp_path):
    result = preprocess(data, str(tmp_path / "records"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr == ""
    assert NOISE.search(result.stdout) is None
    assert result.stdout.startswith("videos: 3 in, 3 written, 0 rejected, 0 skipped\n")


def test_verbose_brings_the_library_lines_back(data, tmp_path):
    result = preprocess(data, str(tmp_path / "records"), LVSEG_VERBOSE="1")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WARNING:apache_beam" in result.stderr and "semi_persistent_directory" in result.stderr
    assert "3 written" in result.stdout
