"""A real `evaluator serve` subprocess on a free loopback port, shared by the reliability tests."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "api"))  # reuse the API tests' helpers

from api_helpers import GOOD_ANSWER, assert_error, free_port, wait_until_ready  # noqa: E402

__all__ = ["GOOD_ANSWER", "assert_error"]  # re-exported for the reliability tests

BANK = ROOT / "rubric" / "data" / "questions"
SMALL_BANK_IDS = ("fresher-01", "fresher-03", "fresher-10", "intermediate-05")


def small_bank(folder: Path, ids: Sequence[str] = SMALL_BANK_IDS) -> Path:
    """A bank of a few bundled questions: the server warms up faster than on all of them."""
    folder.mkdir(parents=True, exist_ok=True)
    for question_id in ids:
        shutil.copy(BANK / f"{question_id}.yaml", folder)
    return folder


def clean_env(**settings: str) -> dict[str, str]:
    """The environment without the shell's EVALUATOR_* variables, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALUATOR_")}
    env.update(settings)
    return env


@dataclass
class Server:
    base: str
    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=120, **kwargs)


def serve_command(port: int, prelude: str | None = None) -> list[str]:
    """`python -m cli serve`, or the same after running `prelude` in the server process."""
    if prelude is None:
        return [sys.executable, "-m", "cli", "serve", "--port", str(port)]
    code = f"{prelude}\nimport sys\nfrom cli import main\nsys.exit(main(['serve', '--port', '{port}']))"
    return [sys.executable, "-c", code]


@contextmanager
def running_server(log: Path, env: dict[str, str], prelude: str | None = None) -> Iterator[Server]:
    """Start the server, wait until /readyz says 200, and stop it (SIGTERM) afterwards."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            serve_command(port, prelude), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_ready(server.base, server.process, server.log)
        yield server
    finally:
        stop(server)


def stop(server: Server) -> int:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            return server.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.process.kill()
    return server.process.wait(timeout=60)
