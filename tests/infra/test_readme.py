"""Every `lvseg cloud` command in infra/README.md parses and dry-runs: the walkthrough cannot go stale."""

from __future__ import annotations

import io
import os
import re
import shlex

import pytest

from lvseg.cloud.cli import main
from tests.conftest import REPO_ROOT

README = REPO_ROOT / "infra" / "README.md"
ENV = {"PROJECT": "my-lvseg-project", "REGION": "us-central1", "BUCKET": "my-lvseg-bucket", "TAG": "0.1.0",
       "SA": "lvseg-runner@my-lvseg-project.iam.gserviceaccount.com"}
ENV["COMMON"] = f"--project {ENV['PROJECT']} --region {ENV['REGION']} --bucket gs://{ENV['BUCKET']}"


def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), re.S)
    lines = "\n".join(blocks).replace("\\\n", " ").splitlines()
    return [line.split("#")[0].strip() for line in lines if line.startswith("lvseg cloud ")]


def test_the_walkthrough_uses_every_command():
    used = {shlex.split(c)[2] for c in readme_commands()}
    assert used == {"preprocess", "train", "export", "evaluate", "analyze"}


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_dry_runs(command, monkeypatch):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    argv = shlex.split(os.path.expandvars(command))[2:]
    out = io.StringIO()
    assert main([argv[0], "--dry-run", *argv[1:]], runner=lambda a: pytest.fail(f"ran {a}"), out=out) == 0
    assert ENV["BUCKET"] in out.getvalue()
