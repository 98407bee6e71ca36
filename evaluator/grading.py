"""From match details to the result: credit, verdict and evidence per point, and the weighted score."""

from __future__ import annotations

from evaluator.calibration import Calibration
from evaluator.judge.finder import ContradictionFinder
from evaluator.matcher import MatchDetails
from evaluator.matching import coverage_probability, credit, verdict_for, weighted_score
from evaluator.results import EvaluationResult, Evidence, PointResult
from evaluator.version import __version__

SCORE_DECIMALS = 4


def grade(d: MatchDetails, calibration: Calibration, finder: ContradictionFinder, model: str) -> EvaluationResult:
    """The result for one answer: a contradicted point earns nothing and its evidence is the
    sentence that contradicts it."""
    probability = coverage_probability(d.features, calibration)
    scores = credit(probability, calibration)
    points = []
    for i, point in enumerate(d.question.key_points):
        verdict, segment = verdict_for(float(probability[i]), calibration), d.segments[d.best_segment[i]]
        found = finder.find(i, d)
        conflict = found[0] if found is not None else None
        if found is not None:
            verdict, segment, scores[i] = "contradicted", found[1], 0.0
        points.append(
            PointResult(
                id=point.id,
                text=point.text,
                weight=point.weight,
                score=round(float(scores[i]), SCORE_DECIMALS),
                similarity=round(float(d.features[i, 0]), SCORE_DECIMALS),
                verdict=verdict,
                evidence=None if verdict == "missed" else Evidence(text=segment.text, start=segment.start, end=segment.end),
                misconception=conflict.explanation if conflict is not None and conflict.kind == "misconception" else None,
                contradiction=conflict.explanation if conflict is not None and conflict.kind != "misconception" else None,
            )
        )
    weights = [p.weight for p in d.question.key_points]
    return EvaluationResult(
        question_id=d.question.id,
        score=round(weighted_score(scores, weights), SCORE_DECIMALS),
        points=tuple(points),
        missed=tuple(p.id for p in points if p.verdict == "missed"),
        contradicted=tuple(p.id for p in points if p.verdict == "contradicted"),
        model=model,
        evaluator_version=__version__,
    )
