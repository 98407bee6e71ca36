"""`evaluator serve` argument and setting errors, and that the library never imports HTTP code."""

from __future__ import annotations

import os
import socket
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


def test_a_port_in_use_is_one_line_and_exit_2_before_the_model_loads(tmp_path):
    """Not the model loading, then a uvicorn traceback line and exit 3."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALUATOR_")}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        serve = subprocess.run(
            [sys.executable, "-m", "cli", "serve", "--port", str(port)],
            check=False,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
    assert serve.returncode == 2, serve.stderr
    assert serve.stdout == ""
    lines = serve.stderr.splitlines()
    assert len(lines) == 1, serve.stderr  # no log line: the model never started loading
    assert lines[0].startswith(f"evaluator: error: cannot listen on 127.0.0.1:{port}: "), lines[0]
    assert "--port" in lines[0]


def test_the_library_and_cli_do_not_import_the_http_stack():
    code = (
        "import sys, evaluator, rubric; from cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('fastapi', 'starlette', 'uvicorn', 'api') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
