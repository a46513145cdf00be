"""Reading a trained MODEL_DIR, the contract between the trainer (which writes it) and every consumer.

MODEL_DIR/model.keras   the model to ship (weights of the best validation Dice), tf_keras format (a zip)
MODEL_DIR/config.json   the effective training config, including at least ``model`` ("mask" or
                        "landmarks"), ``landmark_scheme``, ``num_landmarks``, ``heatmap_sigma``,
                        ``preset`` and ``input`` (lvseg.inference.encode.INPUT_SPEC)
trainer.artifacts writes it. A damaged file is a one-line ModelDirError naming it: ``load_config`` checks
the config, ``check_model_file`` the model file's zip structure and every member's CRC (bit rot, a cut
copy), cheaply and without TensorFlow, so a launcher can refuse a MODEL_DIR before any worker starts.
"""

from __future__ import annotations

import io
import json
import os
import zipfile

from lvseg import storage
from lvseg.errors import UserError

MODEL_FILE = "model.keras"
CONFIG_FILE = "config.json"


class ModelDirError(UserError):
    """A path given as a MODEL_DIR that is not a completely written one, or holds a damaged file."""


def load_config(model_dir: str) -> dict:
    """config.json of a MODEL_DIR, local or gs://; raises FileNotFoundError when there is none and
    ModelDirError when it is not a trainer config (not JSON, not an object, no ``model``)."""
    path = storage.join(model_dir, CONFIG_FILE)
    try:
        config = json.loads(storage.read_text(path))
    except ValueError:
        raise ModelDirError(f"{path}: not valid JSON (damaged?); train the model again or restore the file"
                            ) from None
    except storage.NotAFileError as err:
        raise ModelDirError(str(err)) from None
    if not isinstance(config, dict) or "model" not in config:
        raise ModelDirError(f"{path}: not a trainer config (an object with 'model' is expected)")
    return config


def check_model_file(model_dir: str, data: bytes | None = None) -> None:
    """ModelDirError unless MODEL_DIR/model.keras is a whole tf_keras archive (every member's CRC checked).
    ``data``: the file's bytes when the caller has them (a gs:// copy)."""
    path = storage.join(model_dir, MODEL_FILE)
    try:
        if data is None:
            data = storage.read_bytes(path)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            damaged = archive.testzip()
            names = set(archive.namelist())
    except FileNotFoundError:
        raise ModelDirError(f"{model_dir}: {CONFIG_FILE} but no {MODEL_FILE}") from None
    except storage.NotAFileError as err:
        raise ModelDirError(str(err)) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError) as err:
        raise ModelDirError(f"{path}: not a whole Keras model file ({err}); train the model again or restore "
                            f"the file") from None
    if damaged is not None:
        raise ModelDirError(f"{path}: damaged (member {damaged} fails its checksum); train the model again or "
                            f"restore the file")
    if "config.json" not in names:
        raise ModelDirError(f"{path}: not a Keras model file (no config.json inside)")


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
    check_model_file(model_dir)
    model_path = os.path.join(model_dir, MODEL_FILE)
    try:
        model = keras.models.load_model(model_path, compile=False)
    except (ValueError, TypeError, KeyError, OSError) as err:  # a whole archive Keras still cannot build
        raise ModelDirError(f"{model_path}: Keras cannot load it ({type(err).__name__}: "
                            f"{' '.join(str(err).split())[:200]})") from None
    return model, config
