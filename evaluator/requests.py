"""EvaluationRequest: one answer to score, and the forms `Evaluator.evaluate_many` accepts for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from rubric import Question


@dataclass(frozen=True, slots=True)
class EvaluationRequest:
    """One answer to score, against a bank question (by id) or an inline rubric."""

    answer: str | bytes
    question_id: str | None = None
    rubric: Question | Mapping[str, object] | None = None


_FIELDS = tuple(f.name for f in fields(EvaluationRequest))


def as_request(item: object) -> EvaluationRequest:
    """`item` as an EvaluationRequest: one already, or a mapping of its fields (as JSON gives it)."""
    if isinstance(item, EvaluationRequest):
        return item
    if not isinstance(item, Mapping):
        raise TypeError(f"an evaluation request must be an EvaluationRequest or a dict, not {type(item).__name__}")
    unknown = sorted(str(k) for k in item if k not in _FIELDS)
    if unknown or "answer" not in item:
        problem = f"unknown field(s) {', '.join(map(repr, unknown))}" if unknown else "no 'answer'"
        raise TypeError(f"an evaluation request has {problem}: give 'answer' and 'question_id' or 'rubric'")
    return EvaluationRequest(**{k: item[k] for k in _FIELDS if k in item})  # type: ignore[arg-type]
