"""The MODEL_DIR contract between the trainer and its consumers (export, evaluation).

MODEL_DIR/model.keras   the model to ship (weights of the best validation Dice), tf_keras format
MODEL_DIR/config.json   the effective training config, including at least ``model`` ("mask" or
                        "landmarks"), ``landmark_scheme``, ``num_landmarks``, ``heatmap_sigma``,
                        ``preset`` and ``input`` (shape and normalization)
"""

from __future__ import annotations

import json
import os

from trainer.backend import keras

MODEL_FILE = "model.keras"
CONFIG_FILE = "config.json"
INPUT_SPEC = {"shape": [112, 112, 1], "dtype": "float32", "normalization": "grey uint8 / 255.0"}


def save_trained(model: keras.Model, config: dict, model_dir: str) -> None:
    """Write the model and its config (``input`` is filled in when missing)."""
    os.makedirs(model_dir, exist_ok=True)
    model.save(os.path.join(model_dir, MODEL_FILE))
    config = {**config, "input": config.get("input", INPUT_SPEC)}
    with open(os.path.join(model_dir, CONFIG_FILE), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)


def load_config(model_dir: str) -> dict:
    with open(os.path.join(model_dir, CONFIG_FILE)) as f:
        return json.load(f)


def load_trained(model_dir: str) -> tuple[keras.Model, dict]:
    """(model, config) of a trained MODEL_DIR; the model is loaded for inference (not compiled)."""
    model = keras.models.load_model(os.path.join(model_dir, MODEL_FILE), compile=False)
    return model, load_config(model_dir)
