"""Score only what was asked: key points outside the asked part of a question become `not_asked`.

When an interviewer asks "What is gradient descent?" and the bank question is "What is gradient
descent, and what are its main variants?", the points about the variants were never asked for.
`restrict_to_asked` marks them `not_asked` and recomputes the weighted score over the others, with
the same weighted mean as the evaluator (evaluator.matching.weighted_score).
"""

from __future__ import annotations

from collections.abc import Collection

from evaluator.matching import weighted_score
from evaluator.results import EvaluationResult

SCORE_DECIMALS = 4


def restrict_to_asked(result: EvaluationResult, not_asked: Collection[str]) -> EvaluationResult:
    """The result with the `not_asked` points set aside and the score taken over the rest.

    Unknown ids are ignored; when nothing would be left, the result is returned unchanged.
    """
    ids = {p.id for p in result.points} & set(not_asked)
    if not ids or len(ids) == len(result.points):
        return result
    kept = [p for p in result.points if p.id not in ids]
    score = weighted_score([p.score for p in kept], [p.weight for p in kept])
    points = tuple(p.model_copy(update={"verdict": "not_asked"}) if p.id in ids else p for p in result.points)
    return result.model_copy(
        update={
            "score": round(score, SCORE_DECIMALS),
            "points": points,
            "missed": tuple(i for i in result.missed if i not in ids),
            "contradicted": tuple(i for i in result.contradicted if i not in ids),
        }
    )
