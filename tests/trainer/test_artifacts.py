"""A MODEL_DIR holding someone else's config.json is refused before training replaces it."""

from __future__ import annotations

import json

import pytest

from lvseg.inference.model_dir import ModelDirError
from trainer import artifacts


def test_a_users_own_config_json_is_refused_and_left_alone(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"learning_rate": 3}))
    with pytest.raises(ModelDirError, match="not a trainer config"):
        artifacts.check_owned(str(tmp_path))
    assert json.loads((tmp_path / "config.json").read_text()) == {"learning_rate": 3}


def test_an_empty_or_earlier_trainer_dir_is_fine(tmp_path):
    artifacts.check_owned(str(tmp_path / "new"))
    (tmp_path / "config.json").write_text(json.dumps({"model": "mask"}))
    artifacts.check_owned(str(tmp_path))
