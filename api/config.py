"""Settings: every knob of the API server, read from environment variables prefixed `EVALUATOR_`.

| variable                     | default     | meaning                                                   |
|------------------------------|-------------|-----------------------------------------------------------|
| EVALUATOR_HOST               | 127.0.0.1   | interface `evaluator serve` binds to                      |
| EVALUATOR_PORT               | 8000        | TCP port `evaluator serve` listens on                     |
| EVALUATOR_API_KEY            | (unset)     | when set, /v1 requests need header `X-API-Key: <key>`     |
| EVALUATOR_BANK_DIR           | (unset)     | a folder of question files instead of the bundled bank    |
| EVALUATOR_MAX_ANSWER_CHARS   | 10000       | longest answer accepted, in characters                    |
| EVALUATOR_MAX_BODY_BYTES     | 1048576     | largest request body accepted, in bytes (else 413)        |
| EVALUATOR_MAX_BATCH_ITEMS    | 64          | most items in one batch request (else 413)                |
| EVALUATOR_CORS_ORIGINS       | (none)      | comma-separated origins allowed by CORS                   |
| EVALUATOR_WORKER_THREADS     | 8           | threads that run scoring requests                         |
| EVALUATOR_CACHE_SIZE         | 20000       | answer sentences' vectors kept (~3.5 KB each; 0: off)     |
| EVALUATOR_BATCH_WINDOW_MS    | 5           | ms a request waits to share a forward pass; 0 turns it off |
| EVALUATOR_BACKEND            | onnx        | model runtime: onnx, onnx-int8 (ONNX Runtime) or torch    |
| EVALUATOR_THREADS            | (all cores) | threads of one forward pass of the model                  |
| EVALUATOR_ONNX_DIR           | ~/.cache/interview-evaluator/onnx | where the onnx backends keep the exported model |
| EVALUATOR_LOG_LEVEL          | info        | level of the server's log                                 |
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from evaluator.answer import MAX_ANSWER_CHARS
from evaluator.embedding import DEFAULT_BACKEND


class Settings(BaseSettings):
    """The API server's configuration; see the module docstring for the variables."""

    model_config = SettingsConfigDict(env_prefix="EVALUATOR_", extra="forbid", frozen=True)

    host: str = Field(default="127.0.0.1", description="Interface `evaluator serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `evaluator serve` listens on.")
    api_key: SecretStr | None = Field(
        default=None, description="When set, /v1 requests must send it in the X-API-Key header."
    )
    bank_dir: Path | None = Field(
        default=None, description="Folder of question files; default: bundled bank."
    )
    max_answer_chars: int = Field(
        default=MAX_ANSWER_CHARS, ge=1, description="Longest answer, in characters."
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1, description="Largest request body, in bytes.")
    max_batch_items: int = Field(default=64, ge=1, le=1000, description="Most items in one batch request.")
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="Origins allowed by CORS (comma-separated in the environment)."
    )
    worker_threads: int = Field(default=8, ge=1, le=256, description="Threads that run scoring requests.")
    cache_size: int = Field(default=20_000, ge=0, description="Answer sentences whose pooled vectors are kept in memory.")
    batch_window_ms: float = Field(
        default=5.0,
        ge=0,
        le=1000,
        description="Ms a request waits to share a forward pass with others (right after a batch, up to "
        "a tenth of its time, at most 250 ms, for the clients it served); 0 = off.",
    )
    backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        default=DEFAULT_BACKEND, description="Model runtime: ONNX Runtime (onnx, onnx-int8) or torch."
    )
    threads: int | None = Field(
        default=None, ge=1, le=256, description="Threads of one forward pass; default: all cores."
    )
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"

    @field_validator("api_key", mode="before")
    @classmethod
    def _blank_key_is_no_key(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(origin.strip() for origin in value.split(",") if origin.strip())
        return value

    @field_validator("log_level", "backend", mode="before")
    @classmethod
    def _lower_level(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings from the environment, read once per process (tests pass their own Settings)."""
    return Settings()
