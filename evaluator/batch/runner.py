"""The batch run: input rows -> chunks -> Evaluator.evaluate_many -> committed output lines.

Rows stream from the readers in chunks of `batch_size`; each chunk's questions given as text are
matched in one embedding call, and its answers are scored with one `evaluate_many`, so the model
sees large batches made of many rows. Only one chunk is held at a time: memory stays flat
whatever the size of the input. Each chunk is committed (see output.py) before the next starts.
"""

from __future__ import annotations

import collections
import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from evaluator.asked import restrict_to_asked
from evaluator.batch.asked_parts import AskedParts
from evaluator.batch.errors import ResumeError
from evaluator.batch.output import BatchOutput, error_record, result_record
from evaluator.batch.question_match import QuestionMatch, QuestionMatcher
from evaluator.batch.readers import SKIPPED, Format, InputRow, Item, RowError, read_inputs
from evaluator.errors import EvaluatorError, InvalidAnswerError
from evaluator.results import EvaluationResult
from evaluator.scoring import EvaluationRequest, Evaluator
from rubric import RubricError, UnknownQuestionError

DEFAULT_BATCH_SIZE = 256
T = TypeVar("T")
ScoredChunk = tuple[list[dict[str, Any]], list[dict[str, Any]]]  # result records, error records
# Chunks in -> (chunk, its records) out, in input order: how an engine scores.
ChunkScorer = Callable[[Iterator[list[Item]]], Iterator[tuple[list[Item], ScoredChunk]]]


@dataclass(frozen=True, slots=True)
class BatchStats:
    """Totals of a run, including what an interrupted run had already committed."""

    scored: int
    rejected: int  # malformed rows and answers the evaluator refused
    skipped: int  # small talk, unanswered or non-bank questions: reported, not errors
    resumed: int
    processed: int
    elapsed: float

    @property
    def rows(self) -> int:
        return self.scored + self.rejected + self.skipped


def run_batch(
    inputs: Sequence[str | Path],
    output: str | Path,
    *,
    evaluator: Evaluator,
    errors: str | Path | None = None,
    resume: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    matcher: QuestionMatcher | None = None,
    on_progress: Callable[[int], object] | None = None,
    fmt: Format | None = None,
    asked_parts: AskedParts | None = None,
) -> BatchStats:
    """Score every row of `inputs` into `output` (and rejected rows into `errors`)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    matcher = matcher or QuestionMatcher(evaluator.bank, evaluator.embedder)

    def score_in_turn(chunks: Iterator[list[Item]]) -> Iterator[tuple[list[Item], ScoredChunk]]:
        return ((chunk, score_chunk(chunk, evaluator, matcher, asked_parts)) for chunk in chunks)

    return run_chunks(
        inputs, output, score_in_turn, errors=errors, resume=resume, batch_size=batch_size,
        on_progress=on_progress, fmt=fmt,
    )  # fmt: skip


def run_chunks(
    inputs: Sequence[str | Path],
    output: str | Path,
    score_chunks: ChunkScorer,
    *,
    errors: str | Path | None = None,
    resume: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: Callable[[int], object] | None = None,
    fmt: Format | None = None,
) -> BatchStats:
    """The run every engine shares: rows in chunks (after those an interrupted run committed), each
    committed as `score_chunks` yields it with its records. An engine (the local one above, or
    ray_engine) may score several chunks at once, but yields them in input order."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    started = time.perf_counter()
    processed = 0
    with BatchOutput(output, errors, inputs) as out:
        state = out.open(resume)
        resumed = state.items_done
        items = _skip_done(read_inputs(inputs, fmt), resumed, state.last)
        for chunk, (results, rejected) in score_chunks(_chunks(items, batch_size)):
            out.commit(results, rejected, len(chunk), (chunk[-1].file, chunk[-1].line))
            processed += len(chunk)
            if on_progress is not None:
                on_progress(len(chunk))
        final = out.finish()
    return BatchStats(final.scored, final.rejected, final.skipped, resumed, processed, time.perf_counter() - started)


def score_chunk(
    items: Sequence[Item],
    evaluator: Evaluator,
    matcher: QuestionMatcher,
    asked_parts: AskedParts | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Result records and error records for one chunk, each list in input order.

    With `asked_parts`, the key points that a question given as text did not ask for are `not_asked`
    and left out of its score.
    """
    asked = {
        i: item.question or ""
        for i, item in enumerate(items)
        if isinstance(item, InputRow) and not item.question_id
    }
    answers = [items[i].answer for i in asked]  # type: ignore[union-attr]
    matches: dict[int, QuestionMatch] = dict(
        zip(asked, matcher.match_many(list(asked.values()), answers), strict=True)
    )
    requests: list[EvaluationRequest] = []
    for i, item in enumerate(items):
        if isinstance(item, InputRow):
            question_id = item.question_id or (matches[i].question_id if i in matches else None)
            if question_id is not None:
                requests.append(EvaluationRequest(item.answer, question_id=question_id))
    outcomes = iter(evaluator.evaluate_many(requests, return_errors=True))

    results: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        match = matches.get(i)
        if isinstance(item, RowError):
            rejected.append(error_record(item, item.reason, item.kind))
        elif match is not None and match.question_id is None:
            rejected.append(error_record(item, match.reason, SKIPPED, match))
        else:
            outcome = next(outcomes)
            if isinstance(outcome, EvaluationResult):
                if asked_parts is not None and match is not None and isinstance(item, InputRow) and item.question:
                    left_out = asked_parts.not_asked(item.question, outcome.question_id)
                    outcome = restrict_to_asked(outcome, left_out)
                question = evaluator.bank.get(outcome.question_id)
                results.append(result_record(item, outcome, question, match))
            else:
                rejected.append(error_record(item, str(outcome), _error_kind(outcome), match))
    return results, rejected


def _error_kind(error: EvaluatorError | RubricError) -> str:
    if isinstance(error, UnknownQuestionError):
        return "unknown-question"
    if isinstance(error, InvalidAnswerError):
        return "invalid-answer"
    return "invalid-rubric" if isinstance(error, RubricError) else "error"


def _skip_done(items: Iterator[Item], done: int, last: Sequence[Any] | None) -> Iterator[Item]:
    """The rows after the first `done`, checking that row `done` is the one the state recorded."""
    if done:
        tail = collections.deque(itertools.islice(items, done), maxlen=1)
        skipped = tail[0] if tail else None
        if skipped is None or [skipped.file, skipped.line] != list(last or ()):
            where = f"{skipped.file}:{skipped.line}" if skipped else "nothing"
            raise ResumeError(f"the inputs no longer match the interrupted run (row {done} is {where})")
    return items


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
