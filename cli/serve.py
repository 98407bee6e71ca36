"""`evaluator serve`: run the REST API (settings from EVALUATOR_* variables; --host/--port override)."""

from __future__ import annotations

import argparse
import ctypes
import os
import sys

M_ARENA_MAX = -8  # glibc's mallopt parameter number for MALLOC_ARENA_MAX
SERVER_MALLOC_ARENAS = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the REST API server",
        description="Run the REST API. Settings come from EVALUATOR_* environment variables "
        "(see api/config.py); --host and --port override them.",
    )
    parser.add_argument("--host", help="interface to bind (default: EVALUATOR_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=_port, help="port to listen on (default: EVALUATOR_PORT or 8000)")
    parser.set_defaults(func=run)


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (1-65535)")
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

    _limit_malloc_arenas()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,  # use the logging set up above
        access_log=False,  # api.access logs each request, without query strings or client details
        timeout_graceful_shutdown=10,
    )
    return 0


def _limit_malloc_arenas() -> None:
    """Few glibc malloc arenas (unless MALLOC_ARENA_MAX is set): with one arena per worker thread the
    server's memory kept growing under concurrent load; with two it levels off (scripts/load.py)."""
    if "MALLOC_ARENA_MAX" in os.environ or not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, SERVER_MALLOC_ARENAS)
    except (OSError, AttributeError):  # not glibc: its own allocator decides
        pass
