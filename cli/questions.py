"""`evaluator questions`: list the bank."""

from __future__ import annotations

import argparse
import json

from rubric import load_bank
from rubric.errors import UnknownTopicError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("questions", help="list the questions of the bank")
    parser.add_argument("--level", choices=["fresher", "intermediate", "advanced"])
    parser.add_argument("--topic", help="e.g. optimization, cnn, transformers")
    parser.add_argument("--bank", metavar="DIR", help="a folder of question files (default: bundled bank)")
    parser.add_argument("--json", action="store_true", help="print JSON Lines instead of a table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    bank = load_bank(args.bank)
    if args.topic is not None and args.topic not in bank.topics:
        raise UnknownTopicError(args.topic, bank.topics)
    questions = bank.filter(level=args.level, topic=args.topic)
    for q in questions:
        if args.json:
            print(json.dumps({"id": q.id, "level": q.level, "topic": q.topic, "text": q.text,
                              "key_points": len(q.key_points)}))
        else:
            print(f"{q.id:<16} {q.topic or '-':<20} {q.text}")
    return 0
