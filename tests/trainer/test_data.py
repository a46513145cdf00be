"""trainer.data: its TF-op copy of the input normalization equals lvseg.inference.encode; the base band travels."""

from __future__ import annotations

import numpy as np

from lvseg.inference.encode import to_model_input
from trainer.data import to_float


def test_training_input_equals_the_inference_input_for_every_grey_level():
    image = np.arange(256, dtype=np.uint8).reshape(16, 16)
    batch = {"image": image[None], "mask": np.zeros((1, 16, 16), np.uint8)}
    trained_on = np.asarray(to_float(batch)["image"])
    assert trained_on.dtype == np.float32
    np.testing.assert_array_equal(trained_on, to_model_input(image[None]))


def test_parsed_frames_carry_the_base_and_its_band(records_root):
    from lvseg.geometry.base import base_band
    from lvseg.records import shards
    from trainer.config import TrainConfig
    from trainer.data import parsed_frames, to_example
    from trainer.record_roots import split_files

    plain = list(shards.iter_frames(records_root, "VAL"))
    parsed = list(parsed_frames(split_files(records_root, "VAL"), 12, False, band_depth=20.0).as_numpy_iterator())
    assert len(parsed) == len(plain) > 0
    for frame, record in zip(parsed, plain):
        np.testing.assert_array_equal(frame["base"], record["base"])
        np.testing.assert_array_equal(frame["base_band"], base_band(record["base"], record["mask"], 20.0))
        assert frame["base_band"].sum() > 100
    batch = to_float({key: value[None] for key, value in parsed[0].items()})
    _, target = to_example(batch, TrainConfig(base_weight=3.0), 5.0)
    assert target.shape == (1, 112, 112, 2)
    np.testing.assert_array_equal(np.asarray(target)[0, :, :, 1], parsed[0]["base_band"])
    unbanded = to_float({key: value[None] for key, value in parsed[0].items() if key != "base_band"})
    _, plain_target = to_example(unbanded, TrainConfig(), 5.0)
    assert plain_target.shape == (1, 112, 112, 1)


def test_pipeline_keys_are_disjoint_for_any_pipeline_count():
    from trainer.data import pipeline_key

    for seed in (0, 42, 2**32 - 1):
        keys = [int(pipeline_key(seed, p)) for p in range(4096)]
        assert len(set(keys)) == len(keys) and keys[0] == seed
    # no pipeline of one seed shares a key with any pipeline of another seed either
    assert not {int(pipeline_key(0, p)) for p in range(64)} & {int(pipeline_key(1, p)) for p in range(64)}
    assert int(pipeline_key(2**32 - 1, 2**31 - 1)) < 2**63  # fits the int64 seed tensor
