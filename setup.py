"""One distribution, lvseg: the domain core plus the Beam, trainer and export packages.

Pins live in requirements.txt / requirements-dev.txt (one source of truth, also read by infra/).
setup.py is also what Dataflow workers install with --setup_file.
"""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent


def pins(name: str) -> list[str]:
    lines = (HERE / name).read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


setup(
    name="lvseg",
    version="0.1.0",
    description="Left-ventricle segmentation of echocardiogram videos (EchoNet-Dynamic), for research only",
    python_requires=">=3.11,<3.12",
    packages=find_packages(include=["lvseg", "lvseg.*", "beam_pipelines", "beam_pipelines.*",
                                    "trainer", "trainer.*", "export", "export.*"]),
    package_data={"lvseg": ["py.typed"]},
    install_requires=pins("requirements.txt"),
    extras_require={"dev": pins("requirements-dev.txt")},
    entry_points={"console_scripts": ["lvseg=lvseg.cli:main"]},
)
