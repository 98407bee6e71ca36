"""The `evaluator` command: one sub-command module each, registered in COMMANDS."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from evaluator.errors import EvaluatorError
from evaluator.version import __version__

# Sub-command modules; each has `register(subparsers)` that sets `func(args) -> int` on its parser.
COMMANDS = ("questions", "score", "serve", "batch", "rubric", "export_onnx")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

# What a person at the command line can do next, by error code; the library's message says what is wrong.
CLI_HINTS = {"unknown_question": "`evaluator questions` lists them"}


class UsageError(Exception):
    """Arguments that cannot be acted on; printed as one line, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evaluator", description="Score answers to deep-learning interview questions, offline."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except EvaluatorError as exc:
        hint = CLI_HINTS.get(exc.code)
        print(f"evaluator: error: {exc}{f': {hint}' if hint else ''}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"evaluator: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("evaluator: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
