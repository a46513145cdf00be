"""A model spec (a path a user passes to ``--models``) -> what the model is (ModelInfo) and a Runner for it.

A spec is a Keras MODEL_DIR (lvseg.inference.model_dir: config.json says ``model`` = mask|landmarks) or
a ``.tflite`` file with its model card beside it (lvseg.inference.card: "kind", "landmark_scheme",
"quantization"). ``describe`` reads only that metadata (no TensorFlow), so a launcher can name and label
models cheaply; ``load_runner`` builds the runner where it runs (e.g. a Beam worker's DoFn.setup),
copying gs:// models to a local temporary folder first.

``waist:SPEC`` is the mask model SPEC with its masks cut at the waist (lvseg.inference.waist_cut), for
comparing the two on real echoes. Other kinds of spec can be registered by prefix (``register_spec_prefix``,
in-process only); nothing is registered by default. The test suite registers its oracle models this way.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from lvseg import storage
from lvseg.errors import UserError
from lvseg.inference.card import card_path, read_card
from lvseg.inference.decode import MODEL_KINDS
from lvseg.inference.model_dir import CONFIG_FILE, MODEL_FILE, check_model_file, load_config
from lvseg.inference.runners import KerasRunner, Runner, TFLiteRunner
from lvseg.inference.waist_cut import NAME_SUFFIX, WaistCutRunner, inner_spec

TFLITE_SUFFIX = ".tflite"


class ModelSpecError(UserError, ValueError):
    """A --models entry that is not a model lvseg can tell the kind of."""


@dataclass(frozen=True)
class ModelInfo:
    """What a report says about a model; everything here comes from metadata files."""

    spec: str                 # the path given (or a registered spec)
    name: str                 # display name, unique within a run
    kind: str                 # "mask" or "landmarks"
    landmark_scheme: str      # "" for mask models
    format: str               # "keras", "tflite", or a registered handler's format
    quantization: str         # "float32", "int8", ... ("float32" for Keras models)


@dataclass(frozen=True)
class SpecHandler:
    """How to describe and load the specs that start with a registered prefix."""

    describe: Callable[[str], ModelInfo]
    load: Callable[[ModelInfo], Runner]


_HANDLERS: dict[str, SpecHandler] = {}


def register_spec_prefix(prefix: str, handler: SpecHandler | None) -> None:
    """Make specs starting with ``prefix`` go to ``handler`` (None removes the registration)."""
    if handler is None:
        _HANDLERS.pop(prefix, None)
    else:
        _HANDLERS[prefix] = handler


def _handler(spec: str) -> SpecHandler | None:
    return next((h for prefix, h in _HANDLERS.items() if spec.startswith(prefix)), None)


def model_paths(specs: Sequence[str]) -> list[str]:
    """The MODEL_DIR and .tflite paths (local or gs://) behind specs: what a launcher checks the runner can
    reach. A registered spec has none; a ``waist:`` spec has the one of the model it cuts."""
    paths = []
    for spec in specs:
        inner = inner_spec(spec)
        while inner is not None:
            spec, inner = inner, inner_spec(inner)
        if _handler(spec) is None:
            paths.append(spec)
    return paths


def describe(spec: str, name: str | None = None) -> ModelInfo:
    """ModelInfo of a spec from its config.json or model card; raises ModelSpecError when neither says the kind."""
    inner = inner_spec(spec)
    if inner is not None:
        info = describe(inner)
        if info.kind != "mask":
            raise ModelSpecError(f"{spec}: the waist cut applies to mask models, not to a {info.kind} model")
        return replace(info, spec=spec, name=name or info.name + NAME_SUFFIX)
    handler = _handler(spec)
    if handler is not None:
        info = handler.describe(spec)
        return replace(info, name=name or info.name)
    if spec.endswith(TFLITE_SUFFIX):
        card = _metadata(read_card, card_path(spec), "model card")
        kind, scheme, fmt = card.get("kind"), card.get("landmark_scheme") or "", "tflite"
        quantization = card.get("quantization") or "unknown"
        if isinstance(quantization, dict):  # export.card: {"method": variant, "description": ...}
            quantization = quantization.get("method", "unknown")
        default_name = os.path.basename(spec)[: -len(TFLITE_SUFFIX)]
        source_dir = (card.get("source_model") or {}).get("model_dir")
        if source_dir:  # export names files after the variant (int8.tflite): prefix the model they came from
            default_name = f"{model_dir_name(source_dir)}_{default_name}"
    else:
        config = _metadata(load_config, spec, "trainer config")
        kind, scheme, fmt, quantization = config.get("model"), config.get("landmark_scheme") or "", "keras", "float32"
        default_name = model_dir_name(spec)
    if kind not in MODEL_KINDS:
        raise ModelSpecError(f"{spec}: model kind must be 'mask' or 'landmarks', got {kind!r}")
    return ModelInfo(spec, name or default_name, kind, scheme if kind == "landmarks" else "", fmt, str(quantization))


def model_dir_name(model_dir: str) -> str:
    """A MODEL_DIR's display name: its folder, or the one above for lvseg cloud's models/<name>/model."""
    parts = model_dir.rstrip("/").split("/")
    return parts[-2] if parts[-1] == "model" and len(parts) > 1 else parts[-1]


def describe_all(specs: list[str]) -> list[ModelInfo]:
    """Checked ModelInfos (``check``) with unique, file-name-safe names (``name``, ``name-2``... on
    collisions): what a launcher calls, so a damaged model is one line before any worker starts."""
    infos, seen = [], set()
    for spec in specs:
        info = describe(spec)  # once: on gs:// each read of a config or card is a request
        check(info)
        base = safe_name(info.name)
        name, n = base, 1
        while name in seen:
            n += 1
            name = f"{base}-{n}"
        seen.add(name)
        infos.append(replace(info, name=name))
    return infos


def check(info: ModelInfo) -> None:
    """Raise a one-line UserError unless the model's files are whole and agree: a MODEL_DIR's model.keras
    is an intact archive; a .tflite is the file its card describes (sha256) and its interpreter's tensors
    are the card's (LiteRT only: a model of kilobytes to a few megabytes, no TensorFlow)."""
    inner = inner_spec(info.spec)
    if inner is not None:
        check(replace(info, spec=inner))
        return
    if _handler(info.spec) is not None:
        return
    if info.format == "tflite":
        local = _localize(info.spec, [TFLITE_SUFFIX, ".json"])
        try:
            TFLiteRunner(local)
        finally:
            if local != info.spec:
                shutil.rmtree(os.path.dirname(local), ignore_errors=True)
    else:
        check_model_file(info.spec)


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "model"


def _metadata(read: Callable[[str], dict], path: str, what: str) -> dict:
    try:
        return read(path)
    except FileNotFoundError as err:
        raise ModelSpecError(f"no {what} for {path}: cannot tell the model's kind") from err
    except storage.NotAFileError as err:
        raise ModelSpecError(f"{what} {err}") from None


def load_runner(info: ModelInfo, batch_size: int = 32) -> Runner:
    """The runner of a model (call once per worker: it loads TensorFlow or the interpreter).

    ``batch_size``: frames per Keras call (a .tflite runs one frame per invoke, as on a device).
    """
    inner = inner_spec(info.spec)
    if inner is not None:
        return WaistCutRunner(load_runner(replace(info, spec=inner), batch_size))
    handler = _handler(info.spec)
    if handler is not None:
        return handler.load(info)
    if info.format == "tflite":
        return TFLiteRunner(_localize(info.spec, [TFLITE_SUFFIX, ".json"]))
    return KerasRunner(_localize(info.spec, [MODEL_FILE, CONFIG_FILE]), batch_size)


def _localize(spec: str, names: list[str]) -> str:
    """A local path for a model: itself when local, else a temporary copy of just the files it needs.

    ``names``: for a .tflite, its suffixes (the file, then its card); for a MODEL_DIR, its file names
    (not its logs or backups).
    """
    if not storage.is_gcs(spec):
        return spec
    local = tempfile.mkdtemp(prefix="lvseg-model-")
    if spec.endswith(TFLITE_SUFFIX):
        stem = os.path.basename(spec)[: -len(TFLITE_SUFFIX)]
        sources = {stem + suffix: spec[: -len(TFLITE_SUFFIX)] + suffix for suffix in names}
        target = os.path.join(local, os.path.basename(spec))
    else:
        sources = {name: storage.join(spec, name) for name in names}
        target = local
    for name, source in sources.items():
        try:
            data = storage.read_bytes(source)
        except FileNotFoundError:
            if spec.endswith(TFLITE_SUFFIX) and name.endswith(".json"):
                continue  # a missing card: TFLiteRunner then guesses the kind from the output channels
            raise FileNotFoundError(2, "No such file or directory", source) from None
        with open(os.path.join(local, name), "wb") as f:
            f.write(data)
    return target
