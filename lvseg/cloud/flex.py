"""Dataflow flex templates: parameter metadata generated from the pipeline's options, and the launcher.

A flex template hands its parameters to FLEX_TEMPLATE_PYTHON_PY_FILE (infra/dataflow/*_main.py) as
``--name=value``. Parameter names here are the options' field names (``landmark_scheme``, never
dashes, which template parameter names may not carry); ``pipeline_argv`` turns them back into the
pipeline's own flags (``--landmark-scheme``), booleans into ``--flag`` / ``--no-flag`` and list values
(space- or comma-separated) into several arguments. Beam's options pass through unchanged.

Only preprocessing has a template: its pipeline finishes its own outputs (FinalizeFn), while
evaluation writes its report in the launcher after the job, which a flex launcher never waits for.

    python -m lvseg.cloud.flex infra/dataflow    # rewrite the committed *_metadata.json files
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import re
import sys
import typing
from pathlib import Path

from lvseg.cloud.bucket import BucketLayout
from lvseg import flags
from lvseg.flags import OptionError

# pipeline -> (module, options dataclass); the module has launcher_options(argv), build_pipeline and OWNED.
PIPELINES: dict[str, tuple[str, str]] = {
    "preprocess": ("beam_pipelines.preprocess.pipeline", "PreprocessOptions"),
}
DESCRIPTIONS = {
    "preprocess": "lvseg: EchoNet-Dynamic videos (gs://) -> sharded GZIP TFRecords of traced frames and videos. "
                  "Research software only, not a medical device.",
}
GCS_REGEX = r"^gs://[a-z0-9][-_.a-z0-9]*[a-z0-9](/[^\n\r]*)?$"
# Field-specific rules; the others follow their type (see parameter_regexes).
FIELD_REGEXES = {
    "landmark_scheme": [r"^(seed6|contour[0-9]+)$"],
    "splits": [r"^(TRAIN|VAL|TEST|train|val|test)([ ,]+(TRAIN|VAL|TEST|train|val|test))*$"],
}
PATH_FIELDS = {"data", "out", "records", "models", "external"}
PATH_EXAMPLES = {"data": "gs://BUCKET/raw/echonet", "out": "gs://BUCKET/records"}
WORKER_IMAGE_ENV = "LVSEG_WORKER_IMAGE"


def options_class(pipeline: str) -> type:
    module, name = PIPELINES[pipeline]
    return getattr(importlib.import_module(module), name)


def _kind(cls: type, name: str) -> tuple[type, bool]:
    """(base type, is a list) of a dataclass field, Optional unwrapped."""
    hint = typing.get_type_hints(cls)[name]
    if typing.get_origin(hint) in (tuple, list):
        return typing.get_args(hint)[0], True
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return (args[0] if args else hint), False


def parameter_regexes(cls: type, name: str) -> list[str]:
    if name in FIELD_REGEXES:
        return FIELD_REGEXES[name]
    base, _ = _kind(cls, name)
    if name in PATH_FIELDS:
        return [GCS_REGEX]
    if base is bool:
        return ["^(true|false)$"]
    if base is int:
        return ["^[0-9]+$"]
    if base is float:
        return [r"^([0-9]+\.?[0-9]*|\.[0-9]+)$"]
    return []


def metadata(pipeline: str) -> dict:
    """The template metadata (name, description, parameters[]) of a pipeline, one parameter per option."""
    cls = options_class(pipeline)
    params = []
    for f in dataclasses.fields(cls):
        default = flags.field_default(f)
        # declared required, or (options that do not declare it) an empty default the job cannot run with
        required = flags.is_required(f) or default in ("", ())
        help_text = f.metadata.get("help", "")
        if not required:
            help_text += f" (default: {_shown(default)})"
        if f.name in PATH_FIELDS:
            example = PATH_EXAMPLES.get(f.name)
            help_text += ". On Dataflow a gs:// path" + (f", e.g. {example}" if example else "")
        param = {"name": f.name, "label": f.name.replace("_", " ").capitalize(), "helpText": help_text,
                 "isOptional": not required}
        regexes = parameter_regexes(cls, f.name)
        if regexes:
            param["regexes"] = regexes
        params.append(param)
    return {"name": f"lvseg-{pipeline}", "description": DESCRIPTIONS[pipeline], "parameters": params}


def _shown(default: object) -> str:
    if isinstance(default, tuple):
        return " ".join(map(str, default))
    return str(default).lower() if isinstance(default, bool) else str(default)


def pipeline_argv(cls: type, params: list[str]) -> list[str]:
    """Template parameters (``--name=value``) -> the pipeline's flags; other arguments unchanged."""
    own = {f.name for f in dataclasses.fields(cls)}
    argv: list[str] = []
    for item in params:
        match = re.fullmatch(r"--([A-Za-z0-9_]+)=(.*)", item, re.DOTALL)
        if not match or match.group(1) not in own:
            argv.append(item)
            continue
        name, value = match.groups()
        flag = "--" + name.replace("_", "-")
        base, is_list = _kind(cls, name)
        if base is bool:
            if value.lower() not in ("true", "false"):
                raise OptionError(f"{name}: expected true or false, got {value!r}")
            argv.append(flag if value.lower() == "true" else "--no-" + flag[2:])
        elif is_list:
            argv += [flag, *[v for v in re.split(r"[\s,]+", value) if v]]
        else:
            argv += [flag, value]
    return argv


def flags_to_parameters(argv: list[str] | tuple[str, ...]) -> list[str]:
    """The inverse of pipeline_argv: ``--landmark-scheme contour12`` -> ``landmark_scheme=contour12``.

    Several values join with spaces, ``--flag`` / ``--no-flag`` become ``flag=true`` / ``flag=false``.
    Values may not hold commas: gcloud splits ``--parameters`` on them.
    """
    params: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if not token.startswith("--") or token == "--":
            raise OptionError(f"expected a --flag, got {token!r}")
        name, eq, value = token[2:].partition("=")
        values = [value] if eq else []
        i += 1
        while not eq and i < len(argv) and not argv[i].startswith("--"):
            values.append(argv[i])
            i += 1
        if values:
            text = " ".join(values)
        elif name.startswith("no-"):
            name, text = name[3:], "false"
        else:
            text = "true"
        if "," in text:
            raise OptionError(f"--{name}: template parameter values cannot contain ',': {text!r}")
        params.append(f"{name.replace('-', '_')}={text}")
    return params


def launcher_argv(pipeline: str, params: list[str], env: typing.Mapping[str, str] | None = None) -> list[str]:
    """What the template's launcher runs the pipeline with: Dataflow runner and worker image by default."""
    env = os.environ if env is None else env
    argv = pipeline_argv(options_class(pipeline), params)
    if not _has(argv, "--runner"):
        argv.append("--runner=DataflowRunner")
    image = env.get(WORKER_IMAGE_ENV)
    if image and not _has(argv, "--sdk_container_image", "--worker_harness_container_image"):
        argv.append(f"--sdk_container_image={image}")
    out = next((p.split("=", 1)[1] for p in params if p.startswith("--out=gs://")), None)
    if out and not _has(argv, "--temp_location"):
        # Whether the launcher forwards the job's temp location as a flag is not documented; the pipeline
        # needs one, so fall back on the layout's place for it in the output bucket.
        argv.append(f"--temp_location={BucketLayout(out.split('/')[2]).temp}")
    return argv


def _has(argv: list[str], *flags: str) -> bool:
    return any(a == f or a.startswith(f + "=") for a in argv for f in flags)


def launch(pipeline: str, params: list[str]) -> None:
    """Build the pipeline and submit it WITHOUT waiting, as a flex-template launcher must."""
    import apache_beam as beam

    from lvseg.publish import begin, release

    module = importlib.import_module(PIPELINES[pipeline][0])
    job, options = module.launcher_options(launcher_argv(pipeline, params))
    run = begin(job.out, module.OWNED)  # the job's last step publishes and releases it
    try:
        p = beam.Pipeline(options=options)
        module.build_pipeline(p, job, run)
        p.run()
    except BaseException:
        release(run)
        raise


def write_metadata(folder: str) -> list[str]:
    """Write ``<pipeline>_metadata.json`` for every templated pipeline; returns the paths."""
    paths = []
    for pipeline in PIPELINES:
        path = Path(folder, f"{pipeline}_metadata.json")
        path.write_text(json.dumps(metadata(pipeline), indent=2) + "\n")
        paths.append(str(path))
    return paths


if __name__ == "__main__":
    for written in write_metadata(sys.argv[1] if len(sys.argv) > 1 else "infra/dataflow"):
        print(written)
