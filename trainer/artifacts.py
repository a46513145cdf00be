"""Writing a MODEL_DIR: the trainer's side of the contract that lvseg.inference.model_dir reads.

config.json is the MODEL_DIR's completion marker: every consumer reads it first (lvseg.inference.models),
so it is removed before model.keras is replaced and written last, atomically. A run killed in between
leaves a MODEL_DIR that consumers refuse ("no trainer config"), never a new model beside an old config.
"""

from __future__ import annotations

import json
import os

from lvseg.inference.encode import INPUT_SPEC
from lvseg.inference.model_dir import CONFIG_FILE, MODEL_FILE, load_config
from lvseg.tf_backend import keras


def check_owned(model_dir: str) -> None:
    """Refuse (ModelDirError, one line) a MODEL_DIR whose config.json is not a trainer's, before any training:
    the run would replace that file and a model.keras beside it at the end."""
    if os.path.lexists(os.path.join(model_dir, CONFIG_FILE)):
        load_config(model_dir)


def save_trained(model: keras.Model, config: dict, model_dir: str) -> None:
    """Write the model, then its config (``input`` is filled in when missing)."""
    os.makedirs(model_dir, exist_ok=True)
    config_path = os.path.join(model_dir, CONFIG_FILE)
    if os.path.lexists(config_path):
        os.remove(config_path)
    model.save(os.path.join(model_dir, MODEL_FILE))
    config = {**config, "input": config.get("input", INPUT_SPEC)}
    partial = config_path + ".partial"
    with open(partial, "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, config_path)
