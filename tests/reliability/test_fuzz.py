"""Schema fuzzing: schemathesis (`st run`, every check) against a real server's own /openapi.json.

Every operation the schema lists is fuzzed, with schema-valid and schema-invalid requests, through four
phases (the documented examples, boundary coverage, random fuzzing, stateful sequences). The checks:
no 5xx; every status code, content type, header and body as documented (errors included); invalid
requests rejected; the API key enforced. Settings that JSON Schema cannot express are in
schemathesis.toml beside this file, with the reason.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from reliability_helpers import clean_env, running_server, small_bank

pytestmark = [pytest.mark.server, pytest.mark.model]

KEY = "fuzz-key-8317"
CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = 120  # per operation and phase: about 1,200 requests in all
SEED = 20261125  # a fixed seed: the same requests on every run, so a failure reproduces
MIN_CASES = 1000
ACCESS_LINE = re.compile(r"api\.access: (?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) ")


def test_schemathesis_finds_nothing_over_1000_requests(tmp_path, capsys):
    bank = small_bank(tmp_path / "bank")
    env = clean_env(EVALUATOR_API_KEY=KEY, EVALUATOR_BANK_DIR=str(bank))
    report = tmp_path / "schemathesis.json"
    with running_server(tmp_path / "server.log", env) as server:
        paths = list(server.client().get("/openapi.json").json()["paths"])
        before = len(server.log_text().splitlines())
        run = subprocess.run(
            [
                sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()",
                "--no-color", "--config-file", str(CONFIG),
                "run", f"{server.base}/openapi.json",
                "--checks", "all",
                "--header", f"X-API-Key: {KEY}",
                "--max-examples", str(MAX_EXAMPLES),
                "--seed", str(SEED),
                # A busy CI machine is slow, not broken: these only catch a hang (tests do not time).
                "--request-timeout", "300", "--max-response-time", "300",
                "--report", "json", "--report-json-path", str(report),
            ],
            cwd=tmp_path, capture_output=True, text=True, timeout=1500,
        )  # fmt: skip
        served = [m for line in server.log_text().splitlines()[before:] if (m := ACCESS_LINE.search(line))]

    summary = json.loads(report.read_text())
    cases = summary["test_cases"]["generated"]
    statuses = Counter(int(m["status"]) for m in served)
    with capsys.disabled():  # the figures, shown even when the test passes
        print(
            f"\nschemathesis: {cases} test cases over {summary['operations']['tested']} operations, "
            f"{len(served)} requests served, statuses {dict(sorted(statuses.items()))}, "
            f"{summary['running_time']:.0f} s"
        )
    assert run.returncode == 0, run.stdout[-30000:]
    assert summary["failures"] == [] and summary["errors"] == []
    assert summary["operations"]["tested"] == summary["operations"]["total"] >= len(paths)
    assert cases >= MIN_CASES
    # The server's own log agrees: that many requests reached it, on every path, and none was a 5xx.
    assert len(served) >= MIN_CASES
    assert not [s for s in statuses if s >= 500], statuses
    templates = [re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$") for p in paths]
    for template in templates:
        assert any(template.match(m["path"]) for m in served), f"{template.pattern} was never requested"
