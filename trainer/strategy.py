"""Which tf.distribute strategy the machine calls for, decided by a pure function of (environment, GPUs).

  several workers in TF_CONFIG (or Vertex AI's CLUSTER_SPEC)  -> MultiWorkerMirroredStrategy
  else several local GPUs                                     -> MirroredStrategy
  else                                                        -> the default strategy (one device)

Vertex AI sets CLUSTER_SPEC (worker pools ``workerpool0..3``) and, for TensorFlow, usually TF_CONFIG
too; TF_CONFIG wins when both are present. A CLUSTER_SPEC is converted with pool 0 -> chief,
1 -> worker, 2 -> ps, 3 -> evaluator (Vertex's order of workerPoolSpecs).
"""

from __future__ import annotations

import json
import os
from typing import Mapping

POOL_ROLES = {"workerpool0": "chief", "workerpool1": "worker", "workerpool2": "ps", "workerpool3": "evaluator"}
KINDS = ("default", "mirrored", "multi_worker")


def cluster_spec_to_tf_config(spec: Mapping) -> dict:
    """Vertex AI CLUSTER_SPEC (parsed JSON) -> the TF_CONFIG TensorFlow expects."""
    cluster = {POOL_ROLES.get(pool, pool): list(addresses)
               for pool, addresses in spec.get("cluster", {}).items() if addresses}
    task = spec.get("task", {})
    return {"cluster": cluster,
            "task": {"type": POOL_ROLES.get(task.get("type", "workerpool0"), task.get("type")),
                     "index": int(task.get("index", 0))}}


def tf_config_from_env(env: Mapping[str, str]) -> dict | None:
    """TF_CONFIG, else the converted CLUSTER_SPEC, else None."""
    if env.get("TF_CONFIG"):
        return json.loads(env["TF_CONFIG"])
    if env.get("CLUSTER_SPEC"):
        return cluster_spec_to_tf_config(json.loads(env["CLUSTER_SPEC"]))
    return None


def worker_count(tf_config: Mapping | None) -> int:
    """Machines taking training steps: the chief plus the workers (ps and evaluators do not)."""
    if not tf_config:
        return 1
    cluster = tf_config.get("cluster", {})
    return max(1, len(cluster.get("chief", [])) + len(cluster.get("worker", [])))


def choose_strategy_kind(env: Mapping[str, str], gpu_count: int) -> str:
    """'multi_worker', 'mirrored' or 'default' for this environment and number of local GPUs."""
    if worker_count(tf_config_from_env(env)) > 1:
        return "multi_worker"
    if gpu_count > 1:
        return "mirrored"
    return "default"


def is_chief(env: Mapping[str, str]) -> bool:
    """Whether this process writes the outputs: the chief, or worker 0 of a cluster without a chief."""
    tf_config = tf_config_from_env(env)
    if tf_config is None or worker_count(tf_config) <= 1:
        return True
    task = tf_config.get("task", {})
    role, index = task.get("type"), int(task.get("index", 0))
    has_chief = bool(tf_config.get("cluster", {}).get("chief"))
    return role == "chief" or (not has_chief and role == "worker" and index == 0)


def make_strategy(kind: str, env: Mapping[str, str] | None = None):
    """Build the strategy of ``kind``; for multi_worker, exports a converted CLUSTER_SPEC as TF_CONFIG."""
    from lvseg.tf_backend import tf

    env = os.environ if env is None else env
    if kind == "multi_worker":
        if not env.get("TF_CONFIG") and env.get("CLUSTER_SPEC"):
            os.environ["TF_CONFIG"] = json.dumps(cluster_spec_to_tf_config(json.loads(env["CLUSTER_SPEC"])))
        return tf.distribute.MultiWorkerMirroredStrategy()
    if kind == "mirrored":
        return tf.distribute.MirroredStrategy()
    if kind == "default":
        return tf.distribute.get_strategy()
    raise ValueError(f"unknown strategy kind {kind!r}; use one of {KINDS}")
