"""`evaluator batch`: score files of answers and transcripts; write results, errors, a summary, a report.

Exit status: 0 when every row was scored, 1 when some rows were rejected (see the errors file),
2 when the arguments cannot be acted on (nothing is scored then), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cli import EXIT_FAILED, EXIT_OK, UsageError

if TYPE_CHECKING:
    from tqdm import tqdm

    from evaluator.batch import BatchStats

INPUT_HELP = """\
inputs: .jsonl/.ndjson or .csv with one answer per row (fields: answer, question_id or question,
optional candidate, session, id), or .txt/.md interview transcripts with turns such as
'Interviewer:'/'Candidate:' or 'Q:'/'A:' (also **bold** and '## Q1:' heading forms).
Results go to OUT as JSON Lines or CSV by its extension. With -o results.jsonl, rejected rows go
to results.errors.jsonl, the summary to results.summary.json and the resume state to
results.jsonl.state.json. Exit status: 0 all scored, 1 some rows rejected, 2 bad arguments.
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
    parser.add_argument("--bank", metavar="DIR", help="a folder of question files (default: bundled bank)")
    parser.add_argument(
        "--match-threshold", type=float, default=None, metavar="X",
        help="least confidence to accept a question given as text (default 0.65)",
    )  # fmt: skip
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from evaluator.batch import (
        DEFAULT_BATCH_SIZE,
        MATCH_THRESHOLD,
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
    for path in args.inputs:
        check_input(path)
    BatchOutput(args.output, args.errors, args.inputs).check(args.resume)  # fail before the model loads
    errors = Path(args.errors) if args.errors else default_errors_path(args.output)
    summary_path = Path(args.summary) if args.summary else default_summary_path(args.output)
    inputs = {os.path.abspath(p) for p in args.inputs}
    for target in (summary_path, args.report):
        if target is not None and os.path.abspath(target) in inputs:
            raise UsageError(f"{target} is also an input file: write elsewhere")
    bank = load_bank(args.bank)
    evaluator = Evaluator(bank=bank)
    matcher = QuestionMatcher(bank, evaluator.embedder, threshold=threshold)
    bar = _progress_bar(args)
    try:
        try:
            stats = run_batch(
                args.inputs, args.output, evaluator=evaluator, errors=errors, resume=args.resume,
                batch_size=batch_size, matcher=matcher, on_progress=bar.update if bar else None,
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
        total=count_items(args.inputs),
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
    parts = [f"scored {stats.scored} answers", f"rejected {stats.rejected} rows"]
    if stats.resumed:
        parts.append(f"{stats.resumed} rows were done before resuming")
    line = ", ".join(parts) + f" ({rate:.1f} rows/s). Summary: {summary}"
    if stats.rejected:
        line += f"; errors: {errors}"
    if report:
        line += f"; report: {report}"
    return line
