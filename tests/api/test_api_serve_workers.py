"""`evaluator serve --workers N`: N processes on one loopback port, each with its own model and share of
the cores; a worker that dies is replaced; SIGTERM stops them all."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest
from api_helpers import BANK, GOOD_ANSWER, READY_TIMEOUT, ROOT, free_port

from cli import main

pytestmark = [pytest.mark.server, pytest.mark.model]
WORKERS = 2
QUESTIONS = ("fresher-01", "fresher-02")
READY_LINE = "ready: model"


def workers_of(server: psutil.Process) -> list[psutil.Process]:
    """The server's worker processes (uvicorn spawns them; multiprocessing's resource tracker is not one)."""
    return [p for p in server.children() if "spawn_main" in " ".join(p.cmdline())]


def wait_for(condition, what: str, log: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + READY_TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"{what} never happened:\n{log.read_text(errors='replace')}"
        time.sleep(0.2)


def ready_workers(log: Path) -> int:
    return log.read_text(errors="replace").count(READY_LINE)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workers")
    bank = folder / "bank"
    bank.mkdir()
    for question_id in QUESTIONS:
        shutil.copy(BANK / f"{question_id}.yaml", bank)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALUATOR_")}
    env["EVALUATOR_BANK_DIR"] = str(bank)
    port, log = free_port(), folder / "server.log"
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers", str(WORKERS)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(
            lambda: process.poll() is not None or ready_workers(log) >= WORKERS, "every worker ready", log
        )
        assert process.poll() is None, log.read_text(errors="replace")
        yield f"http://127.0.0.1:{port}", psutil.Process(process.pid), log
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_each_worker_process_holds_its_own_model_and_a_share_of_the_cores(server):
    _, supervisor, _ = server
    workers = workers_of(supervisor)
    assert len(workers) == WORKERS
    for process in [*workers, supervisor]:
        maps_onnxruntime = any("onnxruntime" in m.path for m in process.memory_maps())
        assert maps_onnxruntime == (process in workers), process.cmdline()
    cores = len(os.sched_getaffinity(0))
    assert {w.environ().get("EVALUATOR_THREADS") for w in workers} == {str(max(1, cores // WORKERS))}


def test_concurrent_requests_all_succeed_with_the_same_score(server):
    base, _, _ = server
    body = {"question_id": QUESTIONS[0], "answer": GOOD_ANSWER}

    def score(_: int) -> float:
        with httpx.Client(base_url=base, timeout=120) as client:  # a new connection each: any worker
            response = client.post("/v1/evaluations", json=body)
        assert response.status_code == 200, response.text
        return response.json()["score"]

    with ThreadPoolExecutor(8) as pool:
        scores = list(pool.map(score, range(16)))
    assert len(set(scores)) == 1 and 0 < scores[0] <= 1


def test_a_killed_worker_is_replaced_and_sigterm_stops_every_process(server):
    base, supervisor, log = server
    before = workers_of(supervisor)
    ready_before = ready_workers(log)
    before[0].send_signal(signal.SIGKILL)
    wait_for(lambda: ready_workers(log) > ready_before, "a replacement worker ready", log)
    after = workers_of(supervisor)
    assert len(after) == WORKERS and before[0].pid not in {p.pid for p in after}
    body = {"question_id": QUESTIONS[1], "answer": GOOD_ANSWER}
    response = httpx.post(f"{base}/v1/evaluations", json=body, timeout=120)
    assert response.status_code == 200, response.text

    supervisor.send_signal(signal.SIGTERM)
    supervisor.wait(timeout=60)
    _, alive = psutil.wait_procs(after, timeout=30)
    assert alive == []


def test_workers_must_be_a_positive_number(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--workers", "0"])
    assert exit_info.value.code == 2
    assert "'0' is not a number of processes (1 or more)" in capsys.readouterr().err
