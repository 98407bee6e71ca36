"""Fit the evaluator's calibration (evaluator/calibration.json) from labelled answers.

Data: the project's graded answers (tests/data/graded) except the held-back questions
(accuracy_data.is_held_back); with --semeval also the SemEval-2013 2-way training answers
(Dzikovska et al., 2013) of half of its questions (the other half is for the accuracy report), each
SemEval question a one-point rubric whose phrasings are its reference answers. SemEval is off by
default: it is another domain (one-sentence science answers) and pulled the project's weights
towards plain similarity (measured worse on the project's questions, cross-validated).
Steps, each chosen on the fitting data only:
1. a logistic model of "the point is covered" on the match features (contradicted points left out);
2. `covered`: the probability threshold with the best covered-verdict F1;
3. `no_credit` and `full_credit` (at least `covered`): the ends of the credit ramp with the best
   Spearman of answer scores vs grades; `partial` is `no_credit`: a point that earns any credit
   is at least partly covered, one that earns none is missed;
4. `contradiction_similarity`: the lowest similarity at which contradiction cues keep false
   contradictions on covered points at or below 2% (the target, 5%, is for unseen questions).
--cv first prints the same fit cross-validated by question (5 folds of the fitting questions),
the figures by which features are chosen without touching the held-back questions.

Usage: python scripts/calibrate.py [--semeval] [--cv] [--dry-run]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy_data import (  # noqa: E402
    DiskCachedEmbedder,
    is_held_back,
    load_graded,
    load_semeval,
    semeval_is_held_back,
    semeval_requests,
)

from evaluator import EvaluationRequest, Evaluator  # noqa: E402
from evaluator.calibration import CALIBRATION_FILE, FEATURE_NAMES, Calibration  # noqa: E402
from evaluator.matching import coverage_probability, credit  # noqa: E402

# The target is at most 5% false contradictions on unseen questions: fit to less, for a margin.
MAX_FALSE_CONTRADICTIONS = 0.02
SEMEVAL_SAMPLE_WEIGHT = 0.5  # SemEval is a different domain: it informs the fit, it does not dominate it


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--semeval", action="store_true", help="also fit on half of the SemEval questions")
    parser.add_argument("--cv", action="store_true", help="first print figures cross-validated by question")
    parser.add_argument("--dry-run", action="store_true", help="print the fit, do not write it")
    args = parser.parse_args()

    embedder = DiskCachedEmbedder()
    # features only: the thresholds in use do not matter here (and may be from older features)
    evaluator = Evaluator(embedder=embedder, calibration=_placeholder())
    fit_answers = [a for a in load_graded() if not is_held_back(a.question_id)]
    details = evaluator.match_details([EvaluationRequest(a.text, question_id=a.question_id) for a in fit_answers])
    extra = ([], [])
    semeval = load_semeval() if args.semeval else None
    if semeval:
        requests, labels = semeval_requests([r for r in semeval if not semeval_is_held_back(r)])
        extra = ([d.features[0] for d in evaluator.match_details(requests)], labels)
    if args.cv:
        _cross_validate(fit_answers, details, extra)
    weights, bias, covered, no_credit, full_credit = _fit(fit_answers, details, extra)
    contradiction = _contradiction_threshold(evaluator, fit_answers, details)
    # a point earns credit from `no_credit` on: below it the verdict is missed, above it partial
    calibration = Calibration(weights, bias, no_credit, full_credit, no_credit, covered, contradiction)
    metadata = {
        "fitted": dt.date.today().isoformat(),
        "model": evaluator.model_name,
        "project_points": sum(
            a.labels[p.id] != "contradicted" for a, d in zip(fit_answers, details) for p in d.question.key_points
        ),
        "semeval_answers": len(extra[1]),
        "held_back": "questions whose number % 3 == 2",
        "script": "scripts/calibrate.py" + (" --semeval" if args.semeval else ""),
    }
    embedder.save()
    print(f"features {FEATURE_NAMES}\nfitted {calibration}\nmetadata {metadata}")
    if not args.dry_run:
        CALIBRATION_FILE.write_text(calibration.to_json(**metadata) + "\n", encoding="utf-8")
        print(f"wrote {CALIBRATION_FILE}")


def _fit(answers, details, extra) -> tuple[tuple[float, ...], float, float, float, float]:  # noqa: ANN001
    """Logistic weights and bias, the covered threshold (best covered F1) and the credit ramp
    (best Spearman), all from `answers` (plus SemEval `extra` features and labels for the weights)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    X, y = [], []
    for answer, d in zip(answers, details):
        for point, features in zip(d.question.key_points, d.features):
            if answer.labels[point.id] != "contradicted":
                X.append(features), y.append(answer.labels[point.id] == "covered")
    n_project = len(X)
    X, y = np.array(X + list(extra[0])), np.array(y + list(extra[1]))
    w = np.where(np.arange(len(y)) < n_project, 1.0, SEMEVAL_SAMPLE_WEIGHT)
    model = LogisticRegression(C=10.0, max_iter=1000).fit(X, y, sample_weight=w)
    weights, bias = tuple(float(c) for c in model.coef_[0]), float(model.intercept_[0])
    probe = Calibration(weights, bias, 0.0, 1.0, partial=0.0, covered=0.5, contradiction_similarity=1.0)
    project_p = coverage_probability(X[:n_project], probe)
    grid = np.round(np.arange(0.2, 0.81, 0.02), 2)
    covered = float(max(grid, key=lambda t: f1_score(y[:n_project], project_p >= t)))
    no_credit, full_credit = _best_ramp(answers, details, weights, bias, covered)
    return weights, bias, covered, no_credit, full_credit


def _cross_validate(answers, details, extra, folds: int = 5) -> None:  # noqa: ANN001
    """Fit on the other folds' questions, score each fold's answers: the figures that chose the
    features, without looking at the held-back questions."""
    from scipy.stats import spearmanr
    from sklearn.metrics import f1_score

    questions = sorted({a.question_id for a in answers})
    fold = np.array([questions.index(a.question_id) % folds for a in answers])
    scores, gold, predicted = np.zeros(len(answers)), [], []
    for k in range(folds):
        train = [i for i in range(len(answers)) if fold[i] != k]
        weights, bias, covered, no_credit, full_credit = _fit(
            [answers[i] for i in train], [details[i] for i in train], extra
        )
        calibration = Calibration(weights, bias, no_credit, full_credit, no_credit, covered, 1.0)
        for i in np.flatnonzero(fold == k):
            d = details[i]
            p = coverage_probability(d.features, calibration)
            scores[i] = float(credit(p, calibration) @ _weights(d) / _weights(d).sum())
            gold += [answers[i].labels[point.id] == "covered" for point in d.question.key_points]
            predicted += list(p >= covered)
    rho = spearmanr(scores, [a.grade for a in answers])[0]
    print(f"{folds}-fold by question on {len(questions)} questions: "
          f"covered F1 {f1_score(gold, predicted):.3f}, Spearman {rho:.3f}")
    by_kind: dict[str, list[float]] = {}
    for answer, score in zip(answers, scores):
        by_kind.setdefault(answer.kind, []).append(score)
    print("  mean score by kind: " + ", ".join(f"{k} {np.mean(v):.2f}" for k, v in sorted(by_kind.items())))


def _weights(d) -> np.ndarray:  # noqa: ANN001
    return np.array([p.weight for p in d.question.key_points], dtype=np.float64)


def _placeholder() -> Calibration:
    return Calibration((0.0,) * len(FEATURE_NAMES), 0.0, 0.0, 1.0, 0.0, 0.5, 1.0)


def _best_ramp(answers, details, weights, bias, covered) -> tuple[float, float]:  # noqa: ANN001
    """The ramp with the best Spearman; full credit only where the verdict is `covered` or above."""
    from scipy.stats import spearmanr

    grades = [a.grade for a in answers]
    probabilities = [coverage_probability(d.features, Calibration(weights, bias, 0, 1, 0, 0.5, 1)) for d in details]
    point_weights = [np.array([p.weight for p in d.question.key_points]) for d in details]
    best, best_rho = (0.0, 1.0), -2.0
    for no_credit in np.round(np.arange(0.0, covered, 0.04), 2):
        for full_credit in np.round(np.arange(covered, 1.001, 0.05), 2):
            span = full_credit - no_credit
            scores = [
                float(np.clip((p - no_credit) / span, 0, 1) @ w / w.sum()) for p, w in zip(probabilities, point_weights)
            ]
            rho = spearmanr(scores, grades)[0]
            if rho > best_rho + 1e-9:
                best, best_rho = (float(no_credit), float(min(full_credit, 1.0))), rho
    return best


def _contradiction_threshold(evaluator: Evaluator, answers, details) -> float:  # noqa: ANN001
    """Lowest similarity at which cues flag at most MAX_FALSE_CONTRADICTIONS of covered points."""
    for threshold in np.round(np.arange(0.30, 0.81, 0.02), 2):
        flagged_on_covered = total_covered = 0
        for answer, d in zip(answers, details):
            for i, point in enumerate(d.question.key_points):
                if answer.labels[point.id] != "covered":
                    continue
                total_covered += 1
                flagged_on_covered += evaluator.contradiction_in(i, d, float(threshold)) is not None
        if flagged_on_covered <= MAX_FALSE_CONTRADICTIONS * total_covered:
            return float(threshold)
    return 1.0


if __name__ == "__main__":
    main()
