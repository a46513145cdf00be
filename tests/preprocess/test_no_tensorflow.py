"""Writing records never imports TensorFlow: a whole preprocessing run, in a fresh interpreter, leaves it unloaded.

TensorFlow's import costs seconds in every Beam worker process and prints C++ start-up lines; the record
writer needs only the Example messages (lvseg.records.example_proto).
"""

import json
import subprocess
import sys

from tests.conftest import REPO_ROOT
from tests.datasets.factory import Dataset

RUN_AND_REPORT = """
import json, sys
from beam_pipelines.preprocess.pipeline import run
manifest = run(sys.argv[1:])
print(json.dumps({"written": manifest["written_videos"],
                  "tf": sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "tf_keras", "keras"))}))
"""


def test_a_preprocessing_run_never_imports_tensorflow(tmp_path):
    data = Dataset(tmp_path / "data", n=3).write()
    out = tmp_path / "records"
    result = subprocess.run([sys.executable, "-c", RUN_AND_REPORT, "--data", data, "--out", str(out)],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["written"] == 3  # the records were really written, in this process (in-memory runner)
    assert report["tf"] == []
    assert (out / "frames").is_dir() and any((out / "frames").iterdir())
