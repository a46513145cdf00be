"""Launcher plumbing shared by the Beam jobs (preprocess, evaluate, analyze): flags, PipelineOptions, runner.

Each job has its own options as a typed dataclass (flags via lvseg.flags, ``--kebab-case``); every other
flag goes to Beam untouched (``--runner``, ``--project``, ``--direct_num_workers``...), as in Google's
Dataflow samples.

Local runs make no network attempt. In Beam 2.77 ``DirectRunner`` is the SwitchingDirectRunner, which
first tries the Prism runner and downloads its binary from GitHub (a network attempt, then a fallback).
So when no runner is given, or ``DirectRunner`` is, the job runs on the FnApiRunner: the same batch
engine the DirectRunner falls back to, and it honours ``--direct_num_workers`` and
``--direct_running_mode {in_memory,multi_threading,multi_processing}``. ``--runner PrismRunner`` still
selects Prism explicitly.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import os
from typing import TYPE_CHECKING, TypeVar

from apache_beam.options.pipeline_options import (DirectOptions, GoogleCloudOptions, PipelineOptions, StandardOptions,
                                                  WorkerOptions)

from lvseg import flags, storage
from lvseg.runtime_noise import quiet_loggers

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")  # a job's options dataclass
LOCAL_RUNNER = "FnApiRunner"
_PRISM_FIRST = {"directrunner", "switchingdirectrunner"}
_LOG = logging.getLogger(__name__)


BEAM_FLAGS_HELP = ("Every other flag goes to Beam, e.g. --runner DataflowRunner --project P --region R "
                   "--temp_location gs://B/tmp --setup_file ./setup.py, or locally --direct_num_workers 2 "
                   "--direct_running_mode multi_processing (default runner: FnApiRunner, no downloads).")


def parse_job_args(cls: type[T], argv: list[str], description: str = "", prog: str | None = None
                   ) -> tuple[T, list[str]]:
    """Split argv into the job's dataclass options and the remaining flags, which must all be Beam's.

    A flag that is neither (a typo such as ``--shard 3``) is an OptionError naming the closest real flag:
    Beam itself would only log that it discards it, and the run would go on with defaults.
    """
    # allow_abbrev=False (flags.ArgumentParser): a Beam flag must never be taken as an abbreviation of ours.
    parser = flags.ArgumentParser(prog=prog, description=description, epilog=BEAM_FLAGS_HELP)
    flags.add_dataclass_flags(parser, cls)
    known, beam_args = parser.parse_known_args(argv)
    unknown = unknown_beam_flags(beam_args)
    if unknown:
        ours = ["--" + f.name.replace("_", "-") for f in dataclasses.fields(cls)]
        hints = [difflib.get_close_matches(f"--{u}", ours + [f"--{b}" for b in beam_flag_names()], 1)
                 for u in unknown]
        raise flags.OptionError("unknown option " + ", ".join(
            f"--{u}" + (f" (did you mean {h[0]}?)" if h else "") for u, h in zip(unknown, hints))
            + f": neither a {prog or 'job'} option nor a Beam pipeline option")
    return flags.from_namespace(cls, known), beam_args


def unknown_beam_flags(beam_args: list[str]) -> list[str]:
    """Names of the ``--flags`` in ``beam_args`` that no Beam PipelineOptions class defines."""
    logger = logging.getLogger("apache_beam.options.pipeline_options")
    level, logger.level = logger.level, logging.ERROR  # Beam warns about each discarded flag: we report them
    try:
        options = PipelineOptions(beam_args)
        every = options.get_all_options(retain_unknown_options=True)
        known = options.get_all_options(retain_unknown_options=False)
    finally:
        logger.level = level
    return sorted(set(every) - set(known))


def beam_flag_names() -> list[str]:
    return sorted(PipelineOptions([]).get_all_options())


def pipeline_options(beam_args: list[str], **overrides) -> PipelineOptions:
    """PipelineOptions from Beam flags, defaulting to a local runner that never downloads anything.

    Beam's own WARNING lines are kept off the terminal from here on (lvseg.runtime_noise; LVSEG_VERBOSE=1
    shows them).
    """
    quiet_loggers("apache_beam")
    options = PipelineOptions(beam_args, **overrides)
    check_worker_counts(options)
    standard = options.view_as(StandardOptions)
    if standard.runner is None or standard.runner.lower() in _PRISM_FIRST:
        if standard.runner is not None:
            _LOG.info("runner %s would try to download Prism first; using %s", standard.runner, LOCAL_RUNNER)
        standard.runner = LOCAL_RUNNER
    if is_local(options):
        fast_emulator_auth()
    return options


def check_worker_counts(options: PipelineOptions) -> None:
    """Refuse negative local worker counts and Dataflow worker counts below one (Beam accepts both)."""
    direct = options.view_as(DirectOptions).direct_num_workers
    if direct is not None and direct < 0:
        raise flags.OptionError(f"--direct_num_workers must be 0 (one per core) or positive, got {direct}")
    workers = options.view_as(WorkerOptions)
    for name in ("num_workers", "max_num_workers"):
        value = getattr(workers, name)
        if value is not None and value < 1:
            raise flags.OptionError(f"--{name} must be at least 1, got {value}")


def is_local(options: PipelineOptions) -> bool:
    """True for runners that execute on this machine."""
    runner = options.view_as(StandardOptions).runner or LOCAL_RUNNER
    return runner.rsplit(".", 1)[-1] in StandardOptions.LOCAL_RUNNERS


def check_paths_for_runner(options: PipelineOptions, *paths: str) -> None:
    """Remote workers cannot see this machine's files: require gs:// paths and a temp_location."""
    if is_local(options):
        return
    local = [p for p in paths if not storage.is_gcs(p)]
    if local:
        raise flags.OptionError(f"a remote runner needs gs:// paths; these are local: {local}")
    if not options.view_as(GoogleCloudOptions).temp_location:
        raise flags.OptionError("a remote runner needs --temp_location gs://BUCKET/tmp")


def fast_emulator_auth() -> None:
    """Against the Cloud Storage emulator, make Beam's gcsio go anonymous at once.

    Beam's GcsIO asks google.auth for default credentials with 4 retries and exponential backoff
    (40-60 s) before it falls back to an anonymous client. With STORAGE_EMULATOR_HOST set (tests, local
    demos) there are no credentials to find, so settle the lookup as "none" up front; the anonymous
    google-cloud-storage client honours STORAGE_EMULATOR_HOST. No effect without the emulator variable.
    Call it in each process that uses Beam's gs:// IO (the driver here; a DoFn's setup for workers).
    """
    if not os.environ.get("STORAGE_EMULATOR_HOST"):
        return
    os.environ.setdefault("NO_GCE_CHECK", "True")
    try:
        from apache_beam.internal.gcp import auth
    except ImportError:  # Beam without the gcp extra: nothing to speed up
        return
    with auth._Credentials._credentials_lock:
        auth._Credentials._credentials = None
        auth._Credentials._credentials_init = True
