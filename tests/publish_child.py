"""A separate process for tests/test_publish.py: a run to SIGKILL mid-swap, or a worker that publishes.

``python tests/publish_child.py stop SPEC``: begin, stage SPEC's outputs, publish, and at the step named
``stop_at`` print STOPPED and wait to be killed. ``python tests/publish_child.py publish SPEC``: unpickle
the Run another process began (as a Beam worker receives it), stage, publish, print the manifest.
"""

from __future__ import annotations

import json
import pickle
import sys
import time

from lvseg import publish, storage


def stage(run: publish.Run, outputs: dict[str, str]) -> None:
    for relative, text in outputs.items():
        storage.write_text(storage.join(run.staging, relative), text)


def main(mode: str, spec_path: str) -> None:
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    owned = tuple(spec["owned"])
    if mode == "stop":
        run = publish.begin(spec["out"], owned)

        def observer(step: str) -> None:
            if step == spec["stop_at"]:
                print("STOPPED", flush=True)
                time.sleep(120)  # the test kills us here

        stage(run, spec["outputs"])
        publish.publish(run, owned, {"stage": "child"}, observer)
        print("NOT STOPPED", flush=True)
    elif mode == "publish":
        with open(spec["run_pickle"], "rb") as f:
            run = pickle.load(f)
        stage(run, spec["outputs"])
        print(json.dumps(publish.publish(run, owned, {"stage": "worker"})), flush=True)
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])
