from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
INPUTS = [
    DATA / "mock_interview_ana.md",
    DATA / "mock_interview_ben.txt",
    DATA / "drills_carla.md",
    DATA / "drills.jsonl",
    DATA / "drills.csv",
]


@dataclass(frozen=True)
class ScoredRun:
    inputs: list[Path]
    output: Path
    errors: Path
    stats: object


@pytest.fixture(scope="session")
def scored_run(real_evaluator, tmp_path_factory) -> ScoredRun:
    """Every data file scored once with the real model, shared by the runner and report tests."""
    from evaluator.batch import run_batch

    folder = tmp_path_factory.mktemp("batch")
    output, errors = folder / "results.jsonl", folder / "rejected.jsonl"
    stats = run_batch(INPUTS, output, evaluator=real_evaluator, errors=errors, batch_size=7)
    return ScoredRun(INPUTS, output, errors, stats)
