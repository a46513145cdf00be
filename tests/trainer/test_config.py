"""Flags, the AIP_* environment, and the strategy chosen from TF_CONFIG / CLUSTER_SPEC / GPUs."""

from __future__ import annotations

import json

import pytest

from lvseg.flags import OptionError
from trainer.config import TrainConfig, parse_args, resolve_paths, to_local_path
from trainer.strategy import choose_strategy_kind, cluster_spec_to_tf_config, is_chief, worker_count

AIP = {"AIP_MODEL_DIR": "gs://bucket/job/model", "AIP_CHECKPOINT_DIR": "gs://bucket/job/checkpoints",
       "AIP_TENSORBOARD_LOG_DIR": "gs://bucket/job/logs"}


def test_flags_come_from_the_dataclass():
    config = parse_args(["--model", "landmarks", "--records", "R", "--out", "M", "--epochs", "3", "--no-flip",
                         "--filters", "4", "8", "16", "--steps-per-epoch", "5", "--preset", "paper"])
    assert config == TrainConfig(model="landmarks", records="R", out="M", epochs=3, flip=False, filters=(4, 8, 16),
                                 steps_per_epoch=5, preset="paper")
    with pytest.raises(OptionError, match="invalid choice"):
        parse_args(["--model", "boxes"])
    for bad in (["--epochs", "0"], ["--batch-size", "0"], ["--learning-rate", "nan"], ["--epoch", "3"]):
        with pytest.raises(OptionError):
            parse_args(bad)


def test_help_shows_each_default_once_and_no_empty_ones():
    import argparse
    import dataclasses

    from lvseg.flags import add_dataclass_flags

    @dataclasses.dataclass
    class Options:
        source: str = dataclasses.field(default="", metadata={"help": "where to read"})
        splits: tuple[str, ...] = dataclasses.field(default=(), metadata={"help": "splits (default: every row)"})
        epochs: int = dataclasses.field(default=12, metadata={"help": "passes"})

    parser = argparse.ArgumentParser()
    add_dataclass_flags(parser, Options)
    helps = {action.dest: action.help for action in parser._actions}
    assert helps == {"help": "show this help message and exit", "source": "where to read",
                     "splits": "splits (default: every row)", "epochs": "passes (default: 12)"}


def test_defaults_follow_model_dir(tmp_path):
    config = resolve_paths(TrainConfig(records="R", out=str(tmp_path)), env={})
    assert config.checkpoint_dir == str(tmp_path / "backup")
    assert config.tensorboard_dir == str(tmp_path / "logs")


def test_vertex_environment_is_honoured_and_mapped_to_the_gcs_mount(tmp_path):
    mount = tmp_path / "gcs"
    mount.mkdir()
    config = resolve_paths(TrainConfig(records="gs://bucket/records", extra_train_records=("gs://bucket/seed20",)),
                           env=AIP, mount=str(mount))
    assert config.out == str(mount / "bucket/job/model")
    assert config.checkpoint_dir == str(mount / "bucket/job/checkpoints")
    assert config.tensorboard_dir == str(mount / "bucket/job/logs")
    assert config.records == str(mount / "bucket/records")
    assert config.extra_train_records == (str(mount / "bucket/seed20"),)


def test_flags_override_the_environment(tmp_path):
    config = resolve_paths(TrainConfig(records="R", out="/m", checkpoint_dir="/c", tensorboard_dir="/t"),
                           env=AIP, mount=str(tmp_path / "absent"))
    assert (config.out, config.checkpoint_dir, config.tensorboard_dir) == ("/m", "/c", "/t")


def test_gs_paths_stay_when_there_is_no_mount(tmp_path):
    assert to_local_path("gs://b/k", mount=str(tmp_path / "absent")) == "gs://b/k"
    config = resolve_paths(TrainConfig(records="R"), env=AIP, mount=str(tmp_path / "absent"))
    assert config.out == "gs://bucket/job/model"


def test_a_model_dir_is_required():
    with pytest.raises(OptionError, match="model directory"):
        resolve_paths(TrainConfig(records="R"), env={})


CLUSTER_SPEC = {"cluster": {"workerpool0": ["cmle-training-workerpool0-ab-0:2222"],
                            "workerpool1": ["cmle-training-workerpool1-ab-0:2222",
                                            "cmle-training-workerpool1-ab-1:2222"]},
                "environment": "cloud", "task": {"type": "workerpool1", "index": 1, "trial": ""},
                "job": "{\"python_module\":\"trainer.task\"}"}


def test_cluster_spec_converts_to_tf_config():
    tf_config = cluster_spec_to_tf_config(CLUSTER_SPEC)
    assert tf_config == {"cluster": {"chief": ["cmle-training-workerpool0-ab-0:2222"],
                                     "worker": ["cmle-training-workerpool1-ab-0:2222",
                                                "cmle-training-workerpool1-ab-1:2222"]},
                         "task": {"type": "worker", "index": 1}}
    assert worker_count(tf_config) == 3


@pytest.mark.parametrize("env, gpus, kind", [
    ({}, 0, "default"),
    ({}, 1, "default"),
    ({}, 4, "mirrored"),
    ({"CLUSTER_SPEC": json.dumps(CLUSTER_SPEC)}, 1, "multi_worker"),
    ({"TF_CONFIG": json.dumps({"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 0}})},
     0, "multi_worker"),
    # a single-replica Vertex job still gets a TF_CONFIG with only a chief: not multi-worker
    ({"TF_CONFIG": json.dumps({"cluster": {"chief": ["a:1"]}, "task": {"type": "chief", "index": 0}})}, 2,
     "mirrored"),
    # parameter servers and evaluators take no synchronous steps
    ({"TF_CONFIG": json.dumps({"cluster": {"chief": ["a:1"], "evaluator": ["e:1"]},
                               "task": {"type": "evaluator", "index": 0}})}, 0, "default"),
])
def test_choose_strategy_kind(env, gpus, kind):
    assert choose_strategy_kind(env, gpus) == kind


def test_tf_config_wins_over_cluster_spec():
    env = {"TF_CONFIG": json.dumps({"cluster": {"chief": ["a:1"]}, "task": {"type": "chief", "index": 0}}),
           "CLUSTER_SPEC": json.dumps(CLUSTER_SPEC)}
    assert choose_strategy_kind(env, 0) == "default"


def test_only_the_chief_writes():
    assert is_chief({})
    assert not is_chief({"CLUSTER_SPEC": json.dumps(CLUSTER_SPEC)})
    chief = {**CLUSTER_SPEC, "task": {"type": "workerpool0", "index": 0}}
    assert is_chief({"CLUSTER_SPEC": json.dumps(chief)})
    workers = {"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 0}}
    assert is_chief({"TF_CONFIG": json.dumps(workers)})
    workers["task"]["index"] = 1
    assert not is_chief({"TF_CONFIG": json.dumps(workers)})


def test_check_limits_holds_options_built_in_code_to_the_flag_limits():
    import dataclasses

    from lvseg.flags import check_limits

    @dataclasses.dataclass(frozen=True)
    class Options:
        sigma: float = dataclasses.field(default=1.0, metadata={"above": 0})
        count: int | None = dataclasses.field(default=None, metadata={"min": 1})
        share: float = dataclasses.field(default=0.5, metadata={"min": 0, "max": 0.99})
        sizes: tuple[int, ...] = dataclasses.field(default=(4, 8), metadata={"min": 2})

    assert check_limits(Options()) == Options()  # None skipped, in-range values pass
    cases = [(Options(sigma=0.0), "argument --sigma: must be greater than 0, got 0.0"),
             (Options(sigma=float("nan")), "argument --sigma: 'nan' is not a finite number"),
             (Options(count=0), "argument --count: must be at least 1, got 0"),
             (Options(share=1.0), "argument --share: must be at most 0.99, got 1.0"),
             (Options(sizes=(4, 1)), "argument --sizes: must be at least 2, got 1")]
    for options, message in cases:
        with pytest.raises(OptionError) as info:
            check_limits(options)
        assert str(info.value) == message
    with pytest.raises(OptionError) as info:  # the same message as parsing the same value from argv
        parse_args(["--epochs", "0"])
    assert str(info.value) == "argument --epochs: must be at least 1, got 0"


def test_every_field_is_declared_once():
    """A second ``name: type = field(...)`` in the class body silently replaces the first (default, flag, meaning)."""
    import ast
    import inspect

    import trainer.config

    body = next(node for node in ast.parse(inspect.getsource(trainer.config)).body
                if isinstance(node, ast.ClassDef) and node.name == "TrainConfig").body
    names = [node.target.id for node in body if isinstance(node, ast.AnnAssign)]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert TrainConfig().dropout is None and TrainConfig().wall_dropout == 0.0  # bottleneck vs augmentation


def test_base_weight_flags():
    config = parse_args(["--records", "R", "--base-weight", "4", "--base-band", "20", "--wall-dropout", "0.5"])
    assert (config.base_weight, config.base_band, config.wall_dropout) == (4.0, 20.0, 0.5)
    assert TrainConfig().base_weight == 4.0 and parse_args(["--records", "R", "--base-weight", "0"]).base_weight == 0.0
    for bad in (["--base-weight", "-1"], ["--base-band", "0"]):
        with pytest.raises(OptionError):
            parse_args(["--records", "R", *bad])


def test_records_are_required_by_the_parser_and_for_configs_built_in_code():
    from lvseg.flags import check_limits

    with pytest.raises(OptionError, match="^the following arguments are required: --records$"):
        parse_args(["--out", "M"])
    with pytest.raises(OptionError, match="^the following arguments are required: --records$"):
        check_limits(TrainConfig(out="M"))
    for bad, message in ((["--seed", "-1"], "must be at least 0"), (["--seed", str(2**32)], "must be at most")):
        with pytest.raises(OptionError, match=message):
            parse_args(["--records", "R", *bad])


def test_config_json_records_only_the_options_of_its_model_kind():
    from trainer.config import recorded_options

    mask = recorded_options(TrainConfig(model="mask", records="R"))
    landmarks = recorded_options(TrainConfig(model="landmarks", records="R", loss="mse"))
    assert "loss" not in mask and "heatmap_targets" not in mask and mask["base_weight"] == 4.0
    assert landmarks["loss"] == "mse" and "base_weight" not in landmarks and "base_band" not in landmarks
    assert mask["records"] == landmarks["records"] == "R" and mask["seed"] == 42
