"""The container definitions agree with the pins: base-image versions, one dependency list, the packages.

No Docker needed: the Dockerfiles, their ignore files and infra/cloudbuild.yaml are parsed as text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lvseg import __version__
from lvseg.cloud import bucket
from tests.conftest import REPO_ROOT

ROOT = REPO_ROOT
TRAINER = ROOT / "infra" / "trainer" / "Dockerfile"
BEAM = ROOT / "infra" / "beam" / "Dockerfile"
DOCKERFILES = [TRAINER, BEAM]


def pins() -> dict[str, str]:
    """requirements.txt as {distribution (extras dropped, lower case): version}."""
    result = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            result[re.sub(r"\[.*\]", "", name).lower()] = version
    return result


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", "\n".join(l for l in path.read_text().splitlines() if not l.lstrip().startswith("#")))
    return [(m.group(1).upper(), m.group(2).strip()) for m in re.finditer(r"^\s*([A-Za-z]+)\s+(.*)$", text, re.M)]


def images(path: Path) -> list[str]:
    """Every image the build pulls: FROM bases and COPY --from sources (ARG defaults substituted)."""
    steps = instructions(path)
    args = dict(re.match(r"(\w+)=?(.*)", a).groups() for k, a in steps if k == "ARG")
    found = [a.split()[0] for k, a in steps if k == "FROM"]
    found += [m.group(1) for k, a in steps if k == "COPY" for m in [re.search(r"--from=(\S+)", a)] if m]
    resolved = [re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), image) for image in found]
    stages = {a.split()[-1] for k, a in steps if k == "FROM" and " AS " in a.upper()}
    return [image for image in resolved if image not in stages]


def python_minor() -> str:
    match = re.search(r'python_requires=">=(\d+\.\d+),<', (ROOT / "setup.py").read_text())
    return match.group(1)


def test_trainer_base_image_is_the_pinned_tensorflow_gpu():
    assert f"tensorflow/tensorflow:{pins()['tensorflow']}-gpu" in images(TRAINER)


def test_beam_image_uses_the_pinned_sdk_and_python():
    found = images(BEAM)
    assert f"apache/beam_python{python_minor()}_sdk:{pins()['apache-beam']}" in found
    assert f"python:{python_minor()}-slim" in found
    launcher = f"gcr.io/dataflow-templates-base/python{python_minor().replace('.', '')}-template-launcher-base"
    assert any(image.startswith(launcher + ":") for image in found)


def test_every_pulled_image_is_tagged():
    for dockerfile in DOCKERFILES:
        for image in images(dockerfile):
            assert ":" in image.rsplit("/", 1)[-1], f"{dockerfile.name}: untagged image {image}"


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_dependencies_come_from_requirements_txt_only(dockerfile):
    steps = instructions(dockerfile)
    assert ("COPY", "requirements.txt ./") in steps
    runs = [a for k, a in steps if k == "RUN"]
    assert any(re.search(r"pip install -r requirements\.txt", r) for r in runs)
    # No second list: no requirement spelled out with a version, and lvseg itself goes in without deps.
    for run in runs:
        for spec in re.findall(r"pip install ([^&;]*)", run):
            assert not re.search(r"==\s*\d", spec), f"hard-coded version in: pip install {spec}"
    assert any("pip install --no-deps ." in r for r in runs)
    assert any("pip check" in r for r in runs)


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_images_copy_every_package_setup_py_installs(dockerfile):
    packages = re.search(r"include=\[([^\]]*)\]", (ROOT / "setup.py").read_text()).group(1)
    top = set(re.findall(r'"([A-Za-z_]\w*)"', packages))
    assert "lvseg" in top
    copied = {a.split()[0] for k, a in instructions(dockerfile) if k == "COPY" and "--from" not in a}
    assert top <= copied
    ignore = (dockerfile.parent / "Dockerfile.dockerignore").read_text().splitlines()
    for needed in top | {"requirements.txt", "setup.py"}:
        assert f"!{needed}" in ignore


def test_trainer_entrypoint_runs_the_trainer_module():
    entry = [a for k, a in instructions(TRAINER) if k == "ENTRYPOINT"]
    assert [json.loads(e) for e in entry] == [["python3", "-m", "trainer.task"]]


def test_beam_image_is_an_sdk_container_and_a_flex_launcher():
    steps = instructions(BEAM)
    assert [json.loads(a) for k, a in steps if k == "ENTRYPOINT"] == [["/opt/apache/beam/boot"]]
    envs = " ".join(a for k, a in steps if k == "ENV")
    main_file = re.search(r"FLEX_TEMPLATE_PYTHON_PY_FILE=(\S+)", envs).group(1)
    assert any(k == "COPY" and a.endswith(main_file) for k, a in steps)
    assert (ROOT / "infra" / "dataflow" / Path(main_file).name).is_file()
    assert any("/opt/google/dataflow/python_template_launcher" in a for k, a in steps if k == "COPY")


def test_cloudbuild_builds_the_images_lvseg_cloud_uses():
    yaml = pytest.importorskip("yaml")
    build = yaml.safe_load((ROOT / "infra" / "cloudbuild.yaml").read_text())
    subs = build["substitutions"]
    assert subs["_TAG"] == __version__  # `lvseg cloud` defaults --image-tag to the lvseg version
    registry = bucket.ImageRegistry("${PROJECT_ID}", "${_REGION}", "${_REPOSITORY}", "${_TAG}")
    built = {step["args"][step["args"].index("-t") + 1]: step["args"][step["args"].index("-f") + 1]
             for step in build["steps"] if step["args"][0] == "build"}
    assert built == {registry.trainer: "infra/trainer/Dockerfile", registry.beam: "infra/beam/Dockerfile"}
    pushed = {step["args"][1] for step in build["steps"] if step["args"][0] == "push"}
    assert pushed == set(built)
    template = next(step["args"] for step in build["steps"] if step["args"][:3] == ["dataflow", "flex-template",
                                                                                     "build"])
    assert template[3] == bucket.BucketLayout("bkt").template("preprocess").replace("gs://bkt", "gs://${_BUCKET}")
    assert f"--image={registry.beam}" in template
    assert "--metadata-file=infra/dataflow/preprocess_metadata.json" in template
