"""lvseg.runtime_noise: native writes to descriptor 2 and library loggers are quiet unless LVSEG_VERBOSE/LVSEG_DEBUG."""

import logging
import os

import pytest

from lvseg import runtime_noise


@pytest.fixture
def quiet_env(monkeypatch):
    monkeypatch.delenv("LVSEG_VERBOSE", raising=False)
    monkeypatch.delenv("LVSEG_DEBUG", raising=False)


def test_descriptor_2_is_silenced_inside_and_restored_after(quiet_env, capfd):
    with runtime_noise.stderr_silenced():
        os.write(2, b"native start-up line\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


@pytest.mark.parametrize("name", ["LVSEG_VERBOSE", "LVSEG_DEBUG"])
def test_verbose_keeps_native_lines(monkeypatch, capfd, name):
    monkeypatch.setenv(name, "1")
    with runtime_noise.stderr_silenced():
        os.write(2, b"native start-up line\n")
    assert capfd.readouterr().err == "native start-up line\n"


def test_quiet_loggers_keep_errors_only_unless_verbose(quiet_env, monkeypatch):
    parent, child = logging.getLogger("lvseg_test_noisy"), logging.getLogger("lvseg_test_noisy.worker")
    runtime_noise.quiet_loggers("lvseg_test_noisy")
    assert not child.isEnabledFor(logging.WARNING) and child.isEnabledFor(logging.ERROR)
    parent.setLevel(logging.NOTSET)
    monkeypatch.setenv("LVSEG_VERBOSE", "1")
    runtime_noise.quiet_loggers("lvseg_test_noisy")
    assert parent.level == logging.NOTSET
    monkeypatch.setenv("LVSEG_VERBOSE", "0")
    assert not runtime_noise.verbose()
