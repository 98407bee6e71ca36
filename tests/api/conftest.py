from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from api_helpers import running_client
from fastapi.testclient import TestClient

from api import Settings, create_app


@pytest.fixture(scope="session", autouse=True)
def _no_evaluator_env() -> Iterator[None]:
    """The API tests see the documented defaults, whatever EVALUATOR_* variables the shell has."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("EVALUATOR_")]:
            patch.delenv(name)
        yield


@pytest.fixture(scope="session")
def client(real_evaluator) -> Iterator[TestClient]:
    """The API on the real model and the default settings, for the whole session."""
    with running_client(create_app(Settings(), evaluator=real_evaluator)) as client:
        yield client
