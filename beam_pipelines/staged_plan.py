"""The launcher's validated tasks, staged as one file in the run's staging folder for the workers to read.

Shipping tasks inside the job graph (beam.Create) would bloat it: a task carries its tracings, and
Dataflow caps a graph at 10 MB, which the 10,030 EchoNet tasks would pass. So the launcher pickles
{video id: task} into its own staging folder and the graph carries only ids; each worker process reads
the file once (only the latest run's plan is kept in memory).
"""

from __future__ import annotations

import pickle
import threading

from lvseg import storage

_PLANS: dict[str, dict] = {}
_LOCK = threading.Lock()


def save_plan(path: str, tasks: dict) -> None:
    """Write {video id: task} for the workers (our own file, read back by ``load_plan`` only)."""
    storage.write_bytes(path, pickle.dumps(tasks, protocol=5))


def load_plan(path: str) -> dict:
    """The tasks saved by save_plan, read once per worker process."""
    with _LOCK:
        if path not in _PLANS:
            _PLANS.clear()
            _PLANS[path] = pickle.loads(storage.read_bytes(path))  # written by this run's launcher
        return _PLANS[path]
