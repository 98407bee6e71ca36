"""`evaluator batch`: score files of answers and transcripts; write results, errors, a summary, a report.

Exit status: 0 when every row was scored or skipped (small talk, questions outside the bank), 1 when
some rows were malformed or refused (see the errors file), 2 when the arguments cannot be acted on
(nothing is scored then), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cli import EXIT_FAILED, EXIT_OK, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from tqdm import tqdm

    from evaluator.batch import BatchStats
    from rubric import QuestionBank

# The layouts of evaluator.batch.readers (a test keeps them equal; importing it here would slow --help).
FORMATS = ("jsonl", "csv", "labelled", "speakers", "chat", "vtt", "srt", "notes")

INPUT_HELP = """\
inputs: .jsonl/.ndjson or .csv with one answer per row (fields: answer, question_id or question,
optional candidate, session, id), or interview transcripts (.txt, .md, .vtt, .srt, .log) whose layout
is found from the content: labelled turns ('Interviewer:'/'Candidate:', 'Q:'/'A:', bold or as
headings), speaker lines with names and optional timestamps ('[00:01:02] Priya Sharma: ...'),
chat exports, WebVTT/SRT captions, or Markdown notes (questions as headings, bold or numbered
lines). --format forces a layout. See docs/input-formats.md.
Results go to OUT as JSON Lines or CSV by its extension. With -o results.jsonl, rejected and
skipped rows go to results.errors.jsonl, the summary to results.summary.json and the resume state
to results.jsonl.state.json. Exit status: 0 all scored or skipped, 1 some rows malformed, 2 bad
arguments.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "batch",
        help="score many answers from JSONL/CSV files or interview transcripts",
        description="Score many answers at once, with progress, resume and a report.",
        epilog=INPUT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="files to score, in order")
    parser.add_argument(
        "--format", choices=FORMATS, default=None, metavar="LAYOUT",
        help=f"read every input in this layout instead of detecting it: {', '.join(FORMATS)}",
    )  # fmt: skip
    parser.add_argument("-o", "--output", required=True, metavar="OUT", help="results file (.jsonl or .csv)")
    parser.add_argument(
        "--errors", metavar="FILE", help="rejected rows (default: beside OUT, e.g. results.errors.jsonl)"
    )
    parser.add_argument(
        "--summary", metavar="FILE", help="summary JSON (default: beside OUT, e.g. results.summary.json)"
    )
    parser.add_argument("--report", metavar="FILE", help="also write a self-contained HTML report")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run into the same OUT")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no final line")
    parser.add_argument(
        "--batch-size", type=int, default=None, metavar="N", help="answers per model batch (256)"
    )
    parser.add_argument(
        "--not-asked", action="store_true",
        help="set aside (as 'not asked') key points of a bank question that the asked question left out, "
        "and score the rest (off by default: it measured too weak, see docs/input-formats.md)",
    )  # fmt: skip
    parser.add_argument("--bank", metavar="DIR", help="a folder of question files (default: bundled bank)")
    parser.add_argument(
        "--match-threshold", type=float, default=None, metavar="X",
        help="least confidence to accept a close paraphrase of a bank question (default 0.65; looser "
        "rewordings need 0.45 and a lead of 0.15 over the runner-up; above 0.65 the value is the floor of all)",
    )  # fmt: skip
    parser.add_argument(
        "--engine", choices=("local", "ray"), default="local",
        help="score in this process (local, the default) or on a Ray cluster (ray: see docs/scale-out.md)",
    )  # fmt: skip
    parser.add_argument(
        "--address", metavar="ADDR",
        help="with --engine ray: the cluster head's host:port (default: RAY_ADDRESS, else Ray on this host)",
    )  # fmt: skip
    parser.add_argument(
        "--workers", type=int, default=None, metavar="N",
        help="with --engine ray: scoring workers, each loading the model once (default: one per CPU)",
    )  # fmt: skip
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from evaluator.batch import (
        DEFAULT_BATCH_SIZE,
        MATCH_THRESHOLD,
        AskedParts,
        BatchOutput,
        QuestionMatcher,
        check_input,
        default_errors_path,
        default_summary_path,
        run_batch,
        summarize,
        write_report,
    )
    from evaluator.scoring import Evaluator
    from rubric import load_bank

    batch_size = DEFAULT_BATCH_SIZE if args.batch_size is None else args.batch_size
    if batch_size < 1:
        raise UsageError(f"--batch-size must be at least 1, not {batch_size}")
    threshold = MATCH_THRESHOLD if args.match_threshold is None else args.match_threshold
    if not 0 < threshold <= 1:
        raise UsageError(f"--match-threshold must be above 0 and at most 1, not {threshold}")
    if args.engine != "ray" and (args.address is not None or args.workers is not None):
        raise UsageError("--address and --workers go with --engine ray")
    if args.engine == "ray" and args.not_asked:
        raise UsageError("--not-asked goes with --engine local")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be at least 1, not {args.workers}")
    for path in args.inputs:
        check_input(path, args.format)
    BatchOutput(args.output, args.errors, args.inputs).check(args.resume)  # fail before the model loads
    errors = Path(args.errors) if args.errors else default_errors_path(args.output)
    summary_path = Path(args.summary) if args.summary else default_summary_path(args.output)
    inputs = {os.path.abspath(p) for p in args.inputs}
    for target in (summary_path, args.report):
        if target is not None and os.path.abspath(target) in inputs:
            raise UsageError(f"{target} is also an input file: write elsewhere")
    bank = load_bank(args.bank)
    if args.engine == "ray":
        run_engine = _ray_engine(args, bank, threshold)
    else:
        evaluator = Evaluator(bank=bank)
        matcher = QuestionMatcher(bank, evaluator.embedder, threshold=threshold)
        asked_parts = AskedParts(bank, evaluator.embedder) if args.not_asked else None
        run_engine = functools.partial(run_batch, evaluator=evaluator, matcher=matcher, asked_parts=asked_parts)
    bar = _progress_bar(args)
    try:
        try:
            stats = run_engine(
                args.inputs, args.output, errors=errors, resume=args.resume,
                batch_size=batch_size, on_progress=bar.update if bar else None,
                fmt=args.format,
            )  # fmt: skip
        finally:
            if bar is not None:
                bar.close()
    except KeyboardInterrupt:
        print("evaluator: the rows done so far are saved; add --resume to continue", file=sys.stderr)
        raise

    summary = summarize(args.output, errors)
    _write_json(summary_path, summary)
    if args.report:
        write_report(args.output, args.report, errors=errors, summary=summary)
    if not args.quiet:
        print(_final_line(stats, errors, summary_path, args.report), file=sys.stderr)
    return EXIT_FAILED if stats.rejected else EXIT_OK


def _ray_engine(args: argparse.Namespace, bank: QuestionBank, threshold: float) -> Callable[..., BatchStats]:
    """run_batch's counterpart on a Ray cluster; Ray is imported only here, for --engine ray."""
    from evaluator.batch.ray_engine import RayOptions, run_batch_ray

    options = RayOptions(address=args.address, workers=args.workers)
    return functools.partial(run_batch_ray, bank=bank, match_threshold=threshold, options=options)


def _progress_bar(args: argparse.Namespace) -> tqdm | None:
    """A tqdm bar with rate and ETA on a terminal; None when quiet or not a TTY."""
    if args.quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    from evaluator.batch import count_items, state_path
    from evaluator.batch.output import load_state

    state = load_state(state_path(args.output)) if args.resume else None
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
        known_size = size.columns > 0 and size.lines > 0
    except OSError:
        known_size = False
    return tqdm(
        total=count_items(args.inputs, args.format),
        initial=state.items_done if state else 0,
        unit="row",
        desc="scoring",
        file=sys.stderr,
        dynamic_ncols=known_size,
        ncols=None if known_size else 80,  # a terminal that reports no size (tqdm would draw nothing)
        nrows=None if known_size else 24,
        smoothing=0.1,
    )


def _write_json(path: Path, data: object) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _final_line(stats: BatchStats, errors: Path, summary: Path, report: str | None) -> str:
    rate = stats.processed / stats.elapsed if stats.elapsed else 0.0
    parts = [f"scored {stats.scored} answers", f"skipped {stats.skipped} turns", f"rejected {stats.rejected} rows"]
    if stats.resumed:
        parts.append(f"{stats.resumed} rows were done before resuming")
    line = ", ".join(parts) + f" ({rate:.1f} rows/s). Summary: {summary}"
    if stats.rejected or stats.skipped:
        line += f"; errors and skipped turns: {errors}"
    if report:
        line += f"; report: {report}"
    return line
