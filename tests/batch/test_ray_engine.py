"""`evaluator batch --engine ray` on a real local Ray cluster (loopback only): the same bytes as the
local engine, progress, the CLI's files, and a driver killed mid-run that resumes losing nothing."""

from __future__ import annotations

import ipaddress
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import DATA, INPUTS

from evaluator.batch import BatchError, read_records, run_batch, summarize
from evaluator.batch.output import load_state, state_path

pytestmark = pytest.mark.model
COMMAND = [sys.executable, "-m", "cli", "batch"]
CLUSTER_CPUS = 2
OBJECT_STORE_BYTES = 200 * 2**20
LOOPBACK_VARIABLE = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"  # "0": Ray binds its local cluster to loopback


@pytest.fixture(scope="module")
def ray_address() -> str:
    """A local Ray cluster on loopback for this module; the address drivers in subprocesses join."""
    set_here = LOOPBACK_VARIABLE not in os.environ
    os.environ.setdefault(LOOPBACK_VARIABLE, "0")  # read when Ray is imported
    ray = pytest.importorskip("ray", reason="the ray extra is not installed: pip install -e '.[dev,ray]'")
    ray.init(
        num_cpus=CLUSTER_CPUS, include_dashboard=False, object_store_memory=OBJECT_STORE_BYTES,
        logging_level="ERROR", log_to_driver=False,
    )  # fmt: skip
    address = ray.get_runtime_context().gcs_address
    yield address
    ray.shutdown()
    if set_here:
        os.environ.pop(LOOPBACK_VARIABLE, None)


def run_cli(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *map(str, args)], check=False, capture_output=True, text=True, timeout=timeout
    )


def test_the_cluster_listens_on_loopback_only(ray_address):
    assert ipaddress.ip_address(ray_address.rsplit(":", 1)[0]).is_loopback


def test_ray_writes_the_local_engines_bytes_and_reports_progress(
    scored_run, real_evaluator, ray_address, tmp_path
):
    from evaluator.batch.ray_engine import RayOptions, run_batch_ray

    output, errors = tmp_path / "results.jsonl", tmp_path / "rejected.jsonl"
    progress: list[int] = []
    stats = run_batch_ray(
        INPUTS, output, bank=real_evaluator.bank, errors=errors, batch_size=7,
        options=RayOptions(workers=2), on_progress=progress.append,
    )  # fmt: skip
    assert output.read_bytes() == scored_run.output.read_bytes()
    assert errors.read_bytes() == scored_run.errors.read_bytes()
    local = scored_run.stats
    assert (stats.scored, stats.rejected, stats.skipped) == (local.scored, local.rejected, local.skipped)
    assert sum(progress) == stats.processed == local.rows
    assert all(1 <= step <= 7 for step in progress)
    assert load_state(state_path(output)).complete


def test_cli_on_ray_writes_the_local_csv_summary_and_report(real_evaluator, ray_address, tmp_path):
    reference, reference_errors = tmp_path / "local.csv", tmp_path / "local.errors.csv"
    local = run_batch(INPUTS, reference, evaluator=real_evaluator, errors=reference_errors)
    out, report = tmp_path / "ray.csv", tmp_path / "report.html"
    proc = run_cli(
        *INPUTS, "-o", out, "--report", report, "--engine", "ray", "--address", ray_address, "--workers", "1"
    )
    assert proc.returncode == (1 if local.rejected else 0), proc.stderr
    assert out.read_bytes() == reference.read_bytes()
    assert (tmp_path / "ray.errors.csv").read_bytes() == reference_errors.read_bytes()
    summary = json.loads((tmp_path / "ray.summary.json").read_text(encoding="utf-8"))
    assert summary == json.loads(json.dumps(summarize(reference, reference_errors)))
    assert "<html" in report.read_text(encoding="utf-8").lower()
    assert f"scored {local.scored} answers" in proc.stderr


def test_driver_killed_mid_run_resumes_with_nothing_lost_or_repeated(real_evaluator, ray_address, tmp_path):
    source, out = tmp_path / "answers.jsonl", tmp_path / "results.jsonl"
    ids = write_answers(source, real_evaluator.bank, 60)
    engine = ["--engine", "ray", "--address", ray_address, "--workers", "1"]  # one model load per driver
    args = [*COMMAND, str(source), "-o", str(out), "--batch-size", "4", *engine]
    driver = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = wait_for_rows(state_path(out), 12, driver)
    driver.send_signal(signal.SIGKILL)
    driver.wait(timeout=60)
    state = load_state(state_path(out))
    assert not state.complete and 12 <= state.items_done < len(ids), f"killed after {done} rows"

    resumed = subprocess.run([*args, "--resume"], check=False, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{state.items_done} rows were done before resuming" in resumed.stderr
    written = Counter(r["id"] for r in read_records(out))
    assert written == Counter(ids)  # every row exactly once: none lost, none repeated

    reference = tmp_path / "local.jsonl"
    run_batch([source], reference, evaluator=real_evaluator, batch_size=4)
    assert out.read_bytes() == reference.read_bytes()


def test_more_workers_than_cpus_is_refused_before_anything_is_written(real_evaluator, ray_address, tmp_path):
    from evaluator.batch.ray_engine import RayOptions, run_batch_ray

    output = tmp_path / "results.jsonl"
    with pytest.raises(BatchError, match=rf"3 Ray workers .* need 3 CPUs; the cluster has {CLUSTER_CPUS}"):
        run_batch_ray(INPUTS, output, bank=real_evaluator.bank, options=RayOptions(workers=3))
    assert not output.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--workers", "2"], "--address and --workers go with --engine ray"),
        (["--address", "127.0.0.1:6379"], "--address and --workers go with --engine ray"),
        (["--engine", "ray", "--workers", "0"], "--workers must be at least 1, not 0"),
    ],
)
def test_bad_engine_options_are_usage_errors(options, message, tmp_path, capsys):
    from cli import main

    assert main(["batch", str(DATA / "drills.jsonl"), "-o", str(tmp_path / "r.jsonl"), *options]) == 2
    assert capsys.readouterr().err.strip() == f"evaluator: error: {message}"
    assert not (tmp_path / "r.jsonl").exists()


def test_the_local_engine_never_imports_ray(tmp_path):
    argv = ["batch", str(DATA / "drills.jsonl"), "-o", str(tmp_path / "r.jsonl"), "-q"]
    code = (
        "import sys, evaluator.batch, evaluator.batch.ray_engine; from cli import main; "
        f"status = main({argv!r}); print(status, 'ray' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    status, imported = proc.stdout.split()
    assert status in {"0", "1"} and imported == "False"
    assert (tmp_path / "r.jsonl").stat().st_size > 0


def write_answers(path: Path, bank, n: int) -> list[str]:
    """`n` rows with distinct ids, each answering one of four bank questions with one or two key points."""
    questions = sorted(bank.values(), key=lambda q: q.id)[:4]  # few rubrics to embed: a quicker test
    ids = []
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            question = questions[i % len(questions)]
            phrasings = [p.phrasings[0] for p in question.key_points]
            answer = " ".join(phrasings[: 1 + i % 2])
            ids.append(f"row-{i}")
            handle.write(json.dumps({"id": ids[-1], "question_id": question.id, "answer": answer}) + "\n")
    return ids


def wait_for_rows(state_file: Path, rows: int, driver: subprocess.Popen, timeout: float = 600) -> int:
    """Rows committed once at least `rows` are (polling the resume state), the driver still running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert driver.poll() is None, (
            f"the driver ended before it was killed:\n{driver.stderr.read().decode()}"
        )
        state = load_state(state_file)  # replaced atomically: whole or absent
        if state is not None and state.items_done >= rows:
            return state.items_done
        time.sleep(0.02)
    raise AssertionError(f"fewer than {rows} rows committed in {timeout} s")
