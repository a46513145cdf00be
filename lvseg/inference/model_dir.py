"""Reading a trained MODEL_DIR, the contract between the trainer (which writes it) and every consumer.

MODEL_DIR/model.keras   the model to ship (weights of the best validation Dice), tf_keras format
MODEL_DIR/config.json   the effective training config, including at least ``model`` ("mask" or
                        "landmarks"), ``landmark_scheme``, ``num_landmarks``, ``heatmap_sigma``,
                        ``preset`` and ``input`` (lvseg.inference.encode.INPUT_SPEC)
trainer.artifacts writes it.
"""

from __future__ import annotations

import json
import os

from lvseg import storage
from lvseg.errors import UserError

MODEL_FILE = "model.keras"
CONFIG_FILE = "config.json"


def load_config(model_dir: str) -> dict:
    """config.json of a MODEL_DIR, local or gs://; raises FileNotFoundError when there is none."""
    return json.loads(storage.read_text(storage.join(model_dir, CONFIG_FILE)))


class ModelDirError(UserError):
    """A path given as a MODEL_DIR that is not a completely written one."""


def load_trained(model_dir: str):
    """(tf_keras model, config) of a local MODEL_DIR; the model is loaded for inference (not compiled).

    config.json is the trainer's completion marker (written last), so it is read first: a folder without
    it is refused whole, whatever model file it may hold.
    """
    from lvseg.tf_backend import keras

    try:
        config = load_config(model_dir)
    except FileNotFoundError:
        raise ModelDirError(f"{model_dir}: no trainer config ({CONFIG_FILE}): not a completely written MODEL_DIR"
                            ) from None
    model_path = os.path.join(model_dir, MODEL_FILE)
    if not os.path.isfile(model_path):
        raise ModelDirError(f"{model_dir}: {CONFIG_FILE} but no {MODEL_FILE}")
    return keras.models.load_model(model_path, compile=False), config
