"""`evaluator rubric build|import|lint`: make rubrics from answer intents, import question
documents, check a bank."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cli import UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("rubric", help="build, import and check rubrics")
    commands = parser.add_subparsers(dest="rubric_command", required=True, metavar="ACTION")

    build = commands.add_parser("build", help="print the YAML of a question built from its intent and/or reference")
    build.add_argument("--question", "-q", required=True, help="the question text")
    build.add_argument("--intent", "-i", help="what a good answer must do, e.g. 'Explain that ...'")
    build.add_argument("--reference", "-r", help="a reference answer")
    build.add_argument("--id", help="the question id (default: from the question text)")
    build.add_argument("--level", choices=["fresher", "intermediate", "advanced"])
    build.add_argument("--max-points", type=int, default=8, metavar="N", help="at most N key points (default 8)")
    build.add_argument("--out", metavar="DIR", help="also write <DIR>/<id>.yaml")
    build.set_defaults(func=run_build)

    imp = commands.add_parser("import", help="turn a question document into one bank file per question")
    imp.add_argument("file", metavar="FILE", help="a text or markdown document of numbered questions")
    imp.add_argument("--out", "-o", metavar="DIR", help="where to write the files (default: ./<FILE stem>-bank)")
    imp.add_argument("--prefix", help="put before every id, e.g. acme -> acme-fresher-01")
    imp.add_argument("--force", action="store_true", help="replace files that already exist")
    imp.add_argument("--dry-run", action="store_true", help="list what would be imported; build and write nothing")
    imp.set_defaults(func=run_import)

    lint = commands.add_parser("lint", help="check a bank folder (default: the bundled bank)")
    lint.add_argument("path", nargs="?", metavar="PATH", help="a folder of question files")
    lint.add_argument("--no-model", action="store_true", help="skip the checks that need the model")
    lint.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    lint.add_argument("--json", action="store_true", help="print JSON Lines")
    lint.set_defaults(func=run_lint)


def run_build(args: argparse.Namespace) -> int:
    from rubric.build import build_rubric
    from rubric.io import dump_question_yaml, save_question

    if not (args.intent or args.reference):
        raise UsageError("give --intent, --reference, or both")
    from evaluator.embedding import default_embedder

    question = build_rubric(
        args.question, args.intent, args.reference, id=args.id, embedder=default_embedder(), max_points=args.max_points
    )
    if args.level:
        question = question.model_copy(update={"level": args.level})
    print(dump_question_yaml(question), end="")
    if args.out:
        path = save_question(question, args.out)
        print(f"wrote {path}", file=sys.stderr)
    return 0


def run_import(args: argparse.Namespace) -> int:
    from rubric.importer import import_document, parse_document, question_ids

    source = Path(args.file)
    if not source.is_file():
        raise UsageError(f"no such file: {source}")
    if args.dry_run:
        parsed = parse_document(source.read_text(encoding="utf-8-sig"))
        for qid, q in zip(question_ids(parsed.questions, args.prefix), parsed.questions):
            has = "+".join(n for n, v in (("intent", q.intent), ("answer", q.answer)) if v)
            print(f"{qid:<20} line {q.line:<5} {has:<14} {q.text}")
        _report_unplaced(parsed.unplaced)
        return 0
    out = Path(args.out) if args.out else Path.cwd() / f"{source.stem}-bank"
    from evaluator.embedding import default_embedder

    result = import_document(source, out, prefix=args.prefix, embedder=default_embedder(), overwrite=args.force)
    for path, question in zip(result.paths, result.questions):
        count = len(question.key_points)
        print(f"{path}  ({count} key point{'' if count == 1 else 's'})")
    print(f"imported {len(result.questions)} questions into {out}", file=sys.stderr)
    _report_unplaced(result.unplaced)
    for failure in result.failed:
        print(f"not imported: {failure}", file=sys.stderr)
    return 1 if result.failed else 0


def _report_unplaced(unplaced) -> None:  # type: ignore[no-untyped-def]
    if unplaced:
        print(f"{len(unplaced)} lines not placed:", file=sys.stderr)
        for line in unplaced:
            print(f"  {line}", file=sys.stderr)


def run_lint(args: argparse.Namespace) -> int:
    from evaluator.embedding import default_embedder
    from rubric.lint import lint_bank

    semantic = not args.no_model
    issues = lint_bank(args.path, embedder=default_embedder() if semantic else None, semantic=semantic)
    for issue in issues:
        if args.json:
            print(json.dumps({"severity": issue.severity, "code": issue.code, "path": issue.path,
                              "question_id": issue.question_id, "point_id": issue.point_id,
                              "message": issue.message}))
        else:
            print(issue)
    errors = sum(i.severity == "error" for i in issues)
    warnings = len(issues) - errors
    if not args.json:
        print(f"{errors} errors, {warnings} warnings", file=sys.stderr)
    return 1 if errors or (args.strict and warnings) else 0
