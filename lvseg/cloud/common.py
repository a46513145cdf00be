"""What the `lvseg cloud` commands share: target flags, job names, printing and running commands.

Commands are built as argv lists by pure functions; this module only renders them (for --dry-run and
logs) and runs them with an injectable runner, so tests check the exact argv without any cloud call.
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from lvseg import __version__, flags
from lvseg.cloud.bucket import BucketLayout, ImageRegistry, bucket_name

Runner = Callable[[list[str]], int]
Clock = Callable[[], datetime]

_JOB_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_PROJECT = re.compile(r"^[a-z][-a-z0-9]{4,28}[a-z0-9]$")
_REGION = re.compile(r"^[a-z]+-[a-z]+[0-9]+$")


def project_problem(project: str) -> str | None:
    return None if _PROJECT.match(project) else f"not a Google Cloud project id: {project!r}"


def region_problem(region: str) -> str | None:
    return None if _REGION.match(region) else f"not a Google Cloud region: {region!r} (e.g. us-central1)"


def bucket_problem(bucket: str) -> str | None:
    try:
        bucket_name(bucket)
    except flags.OptionError as err:
        return str(err)
    return None


def job_name_problem(name: str) -> str | None:
    """Dataflow's job-name rule (Vertex AI's display names are looser, so it serves both)."""
    return None if _JOB_NAME.match(name) else (f"invalid job name {name!r}: lowercase letters, digits and '-', "
                                               "starting with a letter, at most 63 characters")


@dataclass(frozen=True)
class Target:
    """Where a job runs and what it reads and writes: project, region, bucket and images."""

    project: str = field(default="", metadata={
        "required": True, "check": project_problem, "help": "Google Cloud project id"})
    region: str = field(default="", metadata={
        "required": True, "check": region_problem, "help": "region of the jobs, bucket and registry, e.g. us-central1"})
    bucket: str = field(default="", metadata={
        "required": True, "check": bucket_problem, "help": "gs://BUCKET holding raw/, records/, models/, exports/, "
                                                           "reports/"})
    repository: str = field(default="lvseg", metadata={"help": "Artifact Registry docker repository of the images"})
    image_tag: str = field(default=__version__, metadata={"help": "tag of the lvseg-trainer / lvseg-beam images"})
    job_name: str | None = field(default=None, metadata={
        "check": job_name_problem, "help": "job name; None means lvseg-COMMAND-YYYYMMDD-HHMMSS, UTC"})
    service_account: str | None = field(default=None, metadata={
        "help": "service account the job runs as; None means the service's default account"})
    dry_run: bool = field(default=False, metadata={"help": "print what would run, run nothing"})

    @property
    def layout(self) -> BucketLayout:
        return BucketLayout(self.bucket)

    @property
    def images(self) -> ImageRegistry:
        return ImageRegistry(self.project, self.region, self.repository, self.image_tag)


def check_job_name(name: str) -> str:
    problem = job_name_problem(name)
    if problem:
        raise flags.OptionError(problem)
    return name


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def job_name(target: Target, kind: str, clock: Clock = utc_now) -> str:
    """The --job-name, else ``lvseg-KIND-YYYYMMDD-HHMMSS`` from the (injectable) clock."""
    if target.job_name:
        return target.job_name
    kind = re.sub(r"[^a-z0-9-]+", "-", kind.lower()).strip("-")[:40]  # model names may hold '_' or '.'
    return check_job_name(f"lvseg-{kind}-{clock():%Y%m%d-%H%M%S}")


def parser_for(prog: str, description: str | None, *option_classes: type[Any]) -> argparse.ArgumentParser:
    """An argparse parser with the flags of each options dataclass (lvseg.flags)."""
    parser = flags.ArgumentParser(prog=prog, description=description,
                                  epilog="Flags after a bare '--' are passed to the job unchanged.")
    for cls in option_classes:
        flags.add_dataclass_flags(parser, cls)
    return parser


def split_passthrough(argv: list[str]) -> tuple[list[str], list[str]]:
    """``[ours..., '--', theirs...]`` -> (ours, theirs)."""
    if "--" in argv:
        cut = argv.index("--")
        return argv[:cut], argv[cut + 1:]
    return argv, []


def render(argv: list[str]) -> str:
    """A shell command, one flag (with its values) per line, every token quoted for a POSIX shell."""
    lines: list[list[str]] = [[]]
    for token in argv:
        if token.startswith("--") and lines[-1]:
            lines.append([])
        lines[-1].append(shlex.quote(token))
    return " \\\n    ".join(" ".join(line) for line in lines)


def subprocess_runner(argv: list[str]) -> int:
    """Run a command with the user's own environment and credentials; its output goes to the terminal."""
    print("+ " + shlex.join(argv), file=sys.stderr, flush=True)
    try:
        return subprocess.run(argv, check=False).returncode
    except FileNotFoundError:
        print(f"lvseg cloud: {argv[0]!r} not found; install the Google Cloud CLI (gcloud) or run with "
              "--dry-run", file=sys.stderr)
        return 127
