"""The outside check of the command-line contract, run as other tools will run it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT, need_shared


@pytest.mark.slow
def test_cli_contract_check_passes() -> None:
    checker = need_shared("tools", "check_cli_contract.py")
    need_shared("data", "volume", "nab_realTweets")
    result = subprocess.run([sys.executable, str(checker), sys.executable], cwd=ROOT, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ok ") == 4
