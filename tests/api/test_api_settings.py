from __future__ import annotations

import anyio.to_thread
import pytest
from api_helpers import ROOT, running_client
from pydantic import ValidationError

import api.config
from api import Settings, create_app, get_settings


def test_documented_defaults():
    settings = Settings()
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.api_key is None and settings.bank_dir is None and settings.cors_origins == ()
    assert (settings.max_answer_chars, settings.max_body_bytes, settings.max_batch_items) == (
        10_000,
        1_048_576,
        64,
    )
    assert (settings.worker_threads, settings.cache_size, settings.log_level) == (8, 20_000, "info")


def test_every_setting_is_documented():
    guide = (ROOT / "docs" / "api.md").read_text()
    for name in Settings.model_fields:
        assert f"EVALUATOR_{name.upper()}" in api.config.__doc__, name
        assert f"| `EVALUATOR_{name.upper()}` |" in guide, name


def test_read_from_prefixed_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("EVALUATOR_PORT", "9123")
    monkeypatch.setenv("EVALUATOR_API_KEY", "k3y")
    monkeypatch.setenv("EVALUATOR_BANK_DIR", str(tmp_path))
    monkeypatch.setenv("EVALUATOR_CORS_ORIGINS", "http://localhost:3000, https://example.org")
    monkeypatch.setenv("EVALUATOR_LOG_LEVEL", "WARNING")
    settings = Settings()
    assert settings.port == 9123
    assert settings.api_key.get_secret_value() == "k3y"
    assert "k3y" not in repr(settings)
    assert settings.bank_dir == tmp_path
    assert settings.cors_origins == ("http://localhost:3000", "https://example.org")
    assert settings.log_level == "warning"


def test_blank_api_key_means_none(monkeypatch):
    monkeypatch.setenv("EVALUATOR_API_KEY", "  ")
    assert Settings().api_key is None


@pytest.mark.parametrize(
    ("name", "value"), [("PORT", "0"), ("PORT", "http"), ("MAX_BATCH_ITEMS", "0"), ("LOG_LEVEL", "loud")]
)
def test_bad_values_are_refused(monkeypatch, name, value):
    monkeypatch.setenv(f"EVALUATOR_{name}", value)
    with pytest.raises(ValidationError):
        Settings()


def test_get_settings_is_cached(monkeypatch):
    get_settings.cache_clear()
    try:
        assert get_settings() is get_settings()
    finally:
        get_settings.cache_clear()


def test_worker_threads_set_the_threadpool_size(real_evaluator):
    with running_client(create_app(Settings(worker_threads=3), evaluator=real_evaluator)) as client:
        tokens = client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens)
    assert tokens == 3
