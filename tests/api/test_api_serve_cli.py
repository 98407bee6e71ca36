"""`evaluator serve` argument and setting errors, and that the library never imports HTTP code."""

from __future__ import annotations

import subprocess
import sys

import pytest

from api import get_settings
from cli import main


@pytest.fixture(autouse=True)
def _fresh_settings():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_port_out_of_range_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--port", "70000"])
    assert exit_info.value.code == 2
    assert "not a port number" in capsys.readouterr().err


def test_bad_environment_setting_is_one_line(monkeypatch, capsys):
    monkeypatch.setenv("EVALUATOR_MAX_BODY_BYTES", "lots")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("evaluator: error: bad setting: EVALUATOR_MAX_BODY_BYTES")
    assert err.count("\n") == 1


def test_missing_bank_folder_fails_before_the_server_starts(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("EVALUATOR_BANK_DIR", str(tmp_path / "nowhere"))
    assert main(["serve"]) == 2
    assert "not a folder of question files" in capsys.readouterr().err


def test_the_library_and_cli_do_not_import_the_http_stack():
    code = (
        "import sys, evaluator, rubric; from cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('fastapi', 'starlette', 'uvicorn', 'api') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
