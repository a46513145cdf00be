"""Writing a MODEL_DIR: the trainer's side of the contract that lvseg.inference.model_dir reads."""

from __future__ import annotations

import json
import os

from lvseg.inference.encode import INPUT_SPEC
from lvseg.inference.model_dir import CONFIG_FILE, MODEL_FILE
from lvseg.tf_backend import keras


def save_trained(model: keras.Model, config: dict, model_dir: str) -> None:
    """Write the model and its config (``input`` is filled in when missing)."""
    os.makedirs(model_dir, exist_ok=True)
    model.save(os.path.join(model_dir, MODEL_FILE))
    config = {**config, "input": config.get("input", INPUT_SPEC)}
    with open(os.path.join(model_dir, CONFIG_FILE), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
