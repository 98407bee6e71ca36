"""`evaluator serve`: run the REST API (settings from EVALUATOR_* variables; --host/--port override)."""

from __future__ import annotations

import argparse
import ctypes
import errno
import os
import socket
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api.config import Settings

M_ARENA_MAX = -8  # glibc's mallopt parameter number for MALLOC_ARENA_MAX
SERVER_MALLOC_ARENAS = 2
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the REST API server",
        description="Run the REST API. Settings come from EVALUATOR_* environment variables "
        "(see api/config.py); --host and --port override them.",
    )
    parser.add_argument("--host", help="interface to bind (default: EVALUATOR_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=_port, help="port to listen on (default: EVALUATOR_PORT or 8000)")
    parser.add_argument(
        "--workers", type=_workers, default=1, metavar="N",
        help="server processes, each with its own model and a share of the cores (default 1)",
    )  # fmt: skip
    parser.set_defaults(func=run)


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (1-65535)")
    return int(value)


def _workers(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of processes (1 or more)")
    return int(value)


def run(args: argparse.Namespace) -> int:
    # The HTTP stack is imported here, so the library and the other commands never load it.
    import logging

    import uvicorn
    from pydantic import ValidationError

    from api.app import create_app
    from api.config import Settings, get_settings
    from cli import UsageError
    from rubric import load_bank

    try:
        settings = get_settings()
        overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
        if overrides:
            settings = Settings.model_validate({**settings.model_dump(), **overrides})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'EVALUATOR_' + '.'.join(map(str, e['loc'])).upper() if e['loc'] else 'settings'}: {e['msg']}"
            for e in exc.errors()
        )
        raise UsageError(f"bad setting: {problems}") from None
    load_bank(settings.bank_dir)  # a broken bank folder fails here, in one line, before the server starts
    _check_can_listen(settings.host, settings.port)  # a port in use too, before the model loads

    _limit_malloc_arenas()
    logging.basicConfig(level=settings.log_level.upper(), format=LOG_FORMAT)
    if args.workers > 1:
        _export_to_workers(settings, args.workers)
    uvicorn.run(
        create_app(settings) if args.workers == 1 else "api.app:create_app",  # each worker builds its own
        factory=args.workers > 1,
        workers=args.workers,
        host=settings.host,
        port=settings.port,
        log_config=None if args.workers == 1 else _worker_log_config(settings.log_level),
        access_log=False,  # api.access logs each request, without query strings or client details
        timeout_graceful_shutdown=10,
    )
    return 0


def _export_to_workers(settings: Settings, workers: int) -> None:
    """What each worker process reads as it starts: the settings with --host/--port applied, a share of
    the cores for its forward passes (unless EVALUATOR_THREADS is set), and the malloc arena limit."""
    os.environ.update(EVALUATOR_HOST=settings.host, EVALUATOR_PORT=str(settings.port))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    os.environ.setdefault("EVALUATOR_THREADS", str(max(1, cores // workers)))
    os.environ.setdefault("MALLOC_ARENA_MAX", str(SERVER_MALLOC_ARENAS))


def _worker_log_config(level: str) -> dict[str, object]:
    """logging.basicConfig's setup as a dictConfig, which uvicorn applies in every worker process."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": LOG_FORMAT}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "root": {"level": level.upper(), "handlers": ["stderr"]},
    }


def _check_can_listen(host: str, port: int) -> None:
    """UsageError unless (host, port) can be bound now, as uvicorn binds it (SO_REUSEADDR, IPv6 for a
    host with a colon)."""
    from cli import UsageError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError as exc:
        hint = " (is another server running there? use --port)" if exc.errno == errno.EADDRINUSE else ""
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}{hint}") from None


def _limit_malloc_arenas() -> None:
    """Few glibc malloc arenas (unless MALLOC_ARENA_MAX is set): with one arena per worker thread the
    server's memory kept growing under concurrent load; with two it levels off (scripts/load.py)."""
    if "MALLOC_ARENA_MAX" in os.environ or not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, SERVER_MALLOC_ARENAS)
    except (OSError, AttributeError):  # not glibc: its own allocator decides
        pass
