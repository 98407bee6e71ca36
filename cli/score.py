"""`evaluator score`: score one answer and print a table or JSON."""

from __future__ import annotations

import argparse
import sys
import textwrap

from cli import UsageError
from evaluator.results import EvaluationResult


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("score", help="score one answer to a question of the bank")
    parser.add_argument("--question", "-q", required=True, metavar="ID", help="question id, e.g. fresher-03")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--answer", "-a", metavar="TEXT", help="the answer (default: read stdin)")
    source.add_argument("--file", "-f", metavar="PATH", help="read the answer from a file")
    parser.add_argument("--bank", metavar="DIR", help="a folder of question files (default: bundled bank)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from evaluator.scoring import Evaluator
    from rubric import load_bank

    bank = load_bank(args.bank)
    bank.get(args.question)  # fail fast on an unknown id, before the model loads
    answer = _read_answer(args)
    result = Evaluator(bank=bank).evaluate(answer, question_id=args.question)
    print(result.model_dump_json(indent=2) if args.json else render_table(result))
    return 0


def _read_answer(args: argparse.Namespace) -> str | bytes:
    if args.answer is not None:
        return args.answer
    if args.file is not None:
        try:
            with open(args.file, "rb") as handle:
                return handle.read()
        except OSError as exc:
            raise UsageError(f"cannot read {args.file}: {exc.strerror}") from None
    if sys.stdin.isatty():
        raise UsageError("give the answer with --answer, --file, or on standard input")
    return sys.stdin.buffer.read()


def render_table(result: EvaluationResult, width: int = 100) -> str:
    """A plain-text table: one block per key point with verdict, score and evidence."""
    lines = [f"{result.question_id}: coverage {result.score:.0%}", ""]
    lines.append(f"{'verdict':<12} {'score':>5}  key point / evidence")
    lines.append("-" * width)
    for point in result.points:
        body = textwrap.wrap(f"{point.text} (weight {point.weight:g})", width - 20)
        lines.append(f"{point.verdict:<12} {point.score:>5.2f}  {body[0]}")
        lines.extend(f"{'':<20}{more}" for more in body[1:])
        if point.evidence:
            quoted = textwrap.wrap(f'"{point.evidence.text}"', width - 22)
            lines.extend(f"{'':<20}> {q}" for q in quoted)
        for note in (f"a common misconception: {point.misconception}" if point.misconception else None,
                     point.contradiction):
            if note:
                lines.extend(f"{'':<20}! {n}" for n in textwrap.wrap(note, width - 22))
    lists = (("Missed", result.missed), ("Contradicted", result.contradicted))
    summary = [f"{label}: {', '.join(ids)}" for label, ids in lists if ids]
    if summary:
        lines += ["", *summary]
    return "\n".join(lines)
