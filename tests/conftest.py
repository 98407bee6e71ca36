from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fakes import HashingEmbedder  # noqa: E402


@pytest.fixture
def hashing_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="session")
def real_evaluator():
    """One Evaluator on the real bundled model for the whole session."""
    from evaluator import Evaluator

    return Evaluator()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "real_evaluator" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.model)
