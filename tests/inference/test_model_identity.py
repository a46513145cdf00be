"""A model is checked before use: a .tflite against its card, a MODEL_DIR's files for damage.

Real files throughout: the tiny models of tests.conftest.model_files (a Keras MODEL_DIR, a float32 mask
and an int8 landmark .tflite with cards), copied and then damaged the way a user's folder gets damaged.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from lvseg.inference.card import CardError
from lvseg.inference.model_dir import ModelDirError, load_trained
from lvseg.inference.models import describe_all
from lvseg.inference.runners import TFLiteRunner
from tests.conftest import REPO_ROOT


@pytest.fixture
def copies(model_files, tmp_path):
    """Fresh copies of the three models (MODEL_DIR, float32 mask .tflite, int8 landmark .tflite)."""
    mask_dir, float_path, int8_path = model_files
    shutil.copytree(mask_dir, tmp_path / "mask-keras")
    for path in (float_path, int8_path):
        for suffix in (".tflite", ".json"):
            shutil.copy(path[: -len(".tflite")] + suffix, tmp_path)
    return (str(tmp_path / "mask-keras"), str(tmp_path / os.path.basename(float_path)),
            str(tmp_path / os.path.basename(int8_path)))


def test_a_tflite_beside_another_models_card_is_refused(copies):
    _, float_path, int8_path = copies
    shutil.copy(float_path, int8_path)  # a mask model's flatbuffer under the landmark model's card
    for check in (lambda: describe_all([int8_path]), lambda: TFLiteRunner(int8_path)):
        with pytest.raises(CardError, match="sha256 differs") as err:
            check()
        assert int8_path in str(err.value) and "\n" not in str(err.value)


def test_a_card_whose_tensors_or_channels_differ_from_the_file_is_refused(copies):
    _, float_path, int8_path = copies
    card_file = int8_path[: -len(".tflite")] + ".json"
    card = json.load(open(card_file))
    json.dump({**card, "num_landmarks": 7}, open(card_file, "w"))
    with pytest.raises(CardError, match="12 output channels, but a landmarks model with this card has 7"):
        describe_all([int8_path])
    json.dump({**card, "input": {**card["input"], "shape": [1, 64, 64, 1]}}, open(card_file, "w"))
    with pytest.raises(CardError, match="input tensor is int8 \\[1, 112, 112, 1\\] but its card says"):
        TFLiteRunner(int8_path)
    json.dump({**card, "kind": "mask"}, open(card_file, "w"))  # the output rule of another kind
    with pytest.raises(CardError, match="12 output channels, but a mask model"):
        describe_all([int8_path])
    with open(card_file, "w") as f:
        f.write('{"kind": "mask", "tflite_')
    with pytest.raises(CardError, match="not valid JSON"):
        describe_all([int8_path])


@pytest.mark.parametrize("damage, expected", [
    (lambda d: open(os.path.join(d, "config.json"), "w").write('{"model": "mask",'), "config.json: not valid JSON"),
    (lambda d: open(os.path.join(d, "config.json"), "w").write('[1, 2]'), "config.json: not a trainer config"),
    (lambda d: _flip_byte(os.path.join(d, "model.keras")), "model.keras: damaged"),
    (lambda d: _cut(os.path.join(d, "model.keras")), "model.keras: not a whole Keras model file"),
    (lambda d: os.remove(os.path.join(d, "model.keras")), "config.json but no model.keras"),
])
def test_a_damaged_model_dir_is_one_line_naming_the_file(copies, damage, expected):
    mask_dir = copies[0]
    damage(mask_dir)
    for check in (lambda: describe_all([mask_dir]), lambda: load_trained(mask_dir)):
        with pytest.raises(ModelDirError, match=expected) as err:
            check()
        assert "\n" not in str(err.value)


def test_the_analysis_launcher_refuses_a_damaged_model_before_any_worker_starts(copies, synthetic_root, tmp_path):
    mask_dir = copies[0]
    _flip_byte(os.path.join(mask_dir, "model.keras"))
    out = tmp_path / "analysis"
    done = subprocess.run([sys.executable, "-m", "lvseg.cli", "analyze", "--videos", synthetic_root, "--models",
                           mask_dir, "--out", str(out)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"lvseg analyze: error: {os.path.join(mask_dir, 'model.keras')}: damaged (member model.weights.h5 fails its "
        f"checksum); train the model again or restore the file"]
    assert not out.exists()


def _flip_byte(path: str) -> None:
    """Bit rot in the middle of the weights: the archive's structure is intact, one member's CRC is not."""
    data = bytearray(open(path, "rb").read())
    data[len(data) // 2] ^= 0x10
    open(path, "wb").write(bytes(data))


def _cut(path: str) -> None:
    data = open(path, "rb").read()
    open(path, "wb").write(data[: len(data) // 2])
