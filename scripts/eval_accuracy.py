"""Accuracy of the evaluator, in one table: verdicts, ranking, contradictions, gaming, SemEval.

On the held-back questions of the project's graded answers (accuracy_data.is_held_back):
per-verdict precision/recall/F1, answer-level Spearman with the human grades, mean score per
answer kind, contradiction recall and false contradictions on correct answers, and whether
vague and key-term-list answers score below every partial answer of their question.
On the blind set (every question; answers written apart from the rubrics, see accuracy_data):
the same verdict figures, Spearman with the writer's grades beside that of the naive cosine of
the answer with the question's reference answer, and mean score per kind.
On SemEval-2013 Task 7 2-way training data (Dzikovska et al., 2013), the half of its questions
that calibration never saw: accuracy and macro-F1, the correct/incorrect threshold chosen on
other questions (5 folds by question), beside the naive whole-answer cosine baseline computed
in the same run.

Usage: python scripts/eval_accuracy.py [--json out.json] [--no-semeval]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy_data import (  # noqa: E402
    BLIND_CORRECT_KINDS,
    BLIND_DIR,
    CORRECT_KINDS,
    DiskCachedEmbedder,
    is_held_back,
    load_graded,
    load_semeval,
    semeval_built_requests,
    semeval_is_held_back,
    semeval_requests,
)

from evaluator import EvaluationRequest, Evaluator  # noqa: E402

VERDICTS = ("covered", "partial", "missed", "contradicted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--no-semeval", action="store_true")
    parser.add_argument("--all-questions", action="store_true", help="include the calibration questions")
    args = parser.parse_args()

    embedder = DiskCachedEmbedder()
    evaluator = Evaluator(embedder=embedder)
    report: dict[str, object] = {"model": evaluator.model_name}
    answers = [a for a in load_graded() if args.all_questions or is_held_back(a.question_id)]
    results = evaluator.evaluate_many([EvaluationRequest(a.text, question_id=a.question_id) for a in answers])
    report["project"] = project_figures(answers, results)
    blind = load_graded(BLIND_DIR)
    if blind:
        report["blind"] = blind_figures(evaluator, blind)
    if not args.no_semeval:
        rows = load_semeval()
        report["semeval"] = semeval_figures(evaluator, rows) if rows else "absent"
    embedder.save()
    print_table(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")


def project_figures(answers, results, correct_kinds=CORRECT_KINDS) -> dict:  # noqa: ANN001
    from scipy.stats import spearmanr

    gold, predicted = [], []
    for answer, result in zip(answers, results):
        for point in result.points:
            gold.append(answer.labels[point.id])
            predicted.append(point.verdict)
    verdicts = {}
    for verdict in VERDICTS:
        tp = sum(g == verdict and p == verdict for g, p in zip(gold, predicted))
        n_pred = sum(p == verdict for p in predicted)
        n_gold = sum(g == verdict for g in gold)
        precision = tp / n_pred if n_pred else float("nan")
        recall = tp / n_gold if n_gold else float("nan")
        f1 = 2 * precision * recall / (precision + recall) if n_gold and n_pred and tp else 0.0
        verdicts[verdict] = {"precision": precision, "recall": recall, "f1": f1, "gold": n_gold, "predicted": n_pred}
    by_kind = defaultdict(list)
    for answer, result in zip(answers, results):
        by_kind[answer.kind].append(result.score)
    correct_points = [p for a, r in zip(answers, results) if a.kind in correct_kinds for p in r.points]
    correct_answers = [r for a, r in zip(answers, results) if a.kind in correct_kinds]
    gaming_violations = []
    per_question = defaultdict(dict)
    for answer, result in zip(answers, results):
        per_question[answer.question_id].setdefault(answer.kind, []).append(result.score)
    for qid, kinds in sorted(per_question.items()):
        lowest_partial = min(kinds.get("partial", [np.inf]))
        for kind in ("vague", "keyword-list", "restated"):
            for score in kinds.get(kind, []):
                if score >= lowest_partial:
                    gaming_violations.append(f"{qid}:{kind} {score:.2f} >= partial {lowest_partial:.2f}")
    return {
        "answers": len(answers),
        "questions": len(per_question),
        "points": len(gold),
        "verdicts": verdicts,
        "spearman": float(spearmanr([r.score for r in results], [a.grade for a in answers])[0]),
        "mean_score_by_kind": {k: float(np.mean(v)) for k, v in sorted(by_kind.items())},
        "contradiction_recall": verdicts["contradicted"]["recall"],
        "false_contradictions_points": sum(p.verdict == "contradicted" for p in correct_points) / len(correct_points),
        "false_contradictions_answers": sum(bool(r.contradicted) for r in correct_answers) / len(correct_answers),
        "gaming_violations": gaming_violations,
    }


def blind_figures(evaluator: Evaluator, answers) -> dict:  # noqa: ANN001
    """The project figures on the blind set, with the naive cosine's Spearman beside them."""
    from scipy.stats import spearmanr

    results = evaluator.evaluate_many([EvaluationRequest(a.text, question_id=a.question_id) for a in answers])
    figures = project_figures(answers, results, BLIND_CORRECT_KINDS)
    questions = [evaluator.bank[a.question_id] for a in answers]
    references = evaluator.embedder.encode([q.reference_answer or q.text for q in questions])
    naive = np.sum(evaluator.embedder.encode([a.text for a in answers]) * references, axis=1)
    figures["naive_spearman"] = float(spearmanr(naive, [a.grade for a in answers])[0])
    return figures


def semeval_figures(evaluator: Evaluator, rows: list[dict]) -> dict:
    """Three scorers on the same answers: the evaluator on rubrics built by the rubric builder
    from each reference answer (best over references), the evaluator on a one-point rubric whose
    phrasings are the reference answers, and the naive whole-answer cosine."""
    held = [r for r in rows if semeval_is_held_back(r)]
    requests, labels = semeval_requests(held)
    built, built_labels = semeval_built_requests(held, evaluator.embedder)
    assert built_labels == labels
    labels = np.array(labels)
    groups = np.array([f"{r.rubric.text}" for r in requests])
    flat = [r for per_answer in built for r in per_answer]
    flat_scores = iter(r.score for r in evaluator.evaluate_many(flat))
    built_scores = np.array([max(next(flat_scores) for _ in per_answer) for per_answer in built])
    scores = np.array([r.score for r in evaluator.evaluate_many(requests)])
    naive = np.array(_naive_cosines(evaluator, requests))
    return {
        "answers": len(requests),
        "questions": len(set(groups)),
        "rubrics_built": len({r.rubric for r in flat}),
        "evaluator_built_rubrics": _cross_validated(built_scores, labels, groups),
        "evaluator_reference_point": _cross_validated(scores, labels, groups),
        "naive_cosine": _cross_validated(naive, labels, groups),
    }


def _naive_cosines(evaluator: Evaluator, requests) -> list[float]:  # noqa: ANN001
    """The naive baseline: cosine of the whole answer with its closest reference answer."""
    answers = evaluator.embedder.encode([r.answer for r in requests])
    refs = {}
    out = []
    for vector, request in zip(answers, requests):
        point = request.rubric.key_points[0]
        if request.rubric not in refs:
            refs[request.rubric] = evaluator.embedder.encode(list(point.phrasings))
        out.append(float(np.max(refs[request.rubric] @ vector)))
    return out


def _cross_validated(scores: np.ndarray, labels: np.ndarray, groups: np.ndarray, folds: int = 5) -> dict:
    """Accuracy and macro-F1 with the threshold for 'correct' chosen on the other folds' questions."""
    from sklearn.metrics import accuracy_score, f1_score

    unique = sorted(set(groups))
    fold_of = {g: i % folds for i, g in enumerate(unique)}
    fold = np.array([fold_of[g] for g in groups])
    predicted = np.zeros_like(labels)
    grid = np.unique(np.round(scores, 3))
    for k in range(folds):
        train, test = fold != k, fold == k
        best = max(grid, key=lambda t: f1_score(labels[train], scores[train] >= t, average="macro"))
        predicted[test] = scores[test] >= best
    return {
        "accuracy": float(accuracy_score(labels, predicted)),
        "macro_f1": float(f1_score(labels, predicted, average="macro")),
    }


def print_table(report: dict) -> None:
    p = report["project"]
    print(f"Model: {report['model']}")
    print(f"Project set, held-back questions: {p['answers']} answers, {p['questions']} questions, {p['points']} key points")
    print(f"{'verdict':<14}{'precision':>10}{'recall':>8}{'F1':>7}{'gold':>7}{'predicted':>10}")
    for verdict, v in p["verdicts"].items():
        print(f"{verdict:<14}{v['precision']:>10.3f}{v['recall']:>8.3f}{v['f1']:>7.3f}{v['gold']:>7}{v['predicted']:>10}")
    print(f"answer-level Spearman with grades   {p['spearman']:.3f}")
    print(f"contradiction recall                {p['contradiction_recall']:.3f}")
    print(f"false contradictions, correct answers: {p['false_contradictions_points']:.3f} of points, "
          f"{p['false_contradictions_answers']:.3f} of answers")
    print("mean score by kind: " + ", ".join(f"{k} {v:.2f}" for k, v in p["mean_score_by_kind"].items()))
    print(f"vague/restated/key-term answers at or above a partial answer: {len(p['gaming_violations'])}")
    for line in p["gaming_violations"]:
        print(f"  {line}")
    b = report.get("blind")
    if b:
        print(f"Blind set, written apart from the rubrics: {b['answers']} answers, "
              f"{b['questions']} questions, {b['points']} key points")
        print(f"{'verdict':<14}{'precision':>10}{'recall':>8}{'F1':>7}{'gold':>7}{'predicted':>10}")
        for verdict in ("covered", "missed", "contradicted"):
            v = b["verdicts"][verdict]
            print(f"{verdict:<14}{v['precision']:>10.3f}{v['recall']:>8.3f}{v['f1']:>7.3f}"
                  f"{v['gold']:>7}{v['predicted']:>10}")
        print(f"answer-level Spearman with grades   {b['spearman']:.3f}   "
              f"(naive cosine with the reference answer: {b['naive_spearman']:.3f})")
        print(f"false contradictions, correct answers: {b['false_contradictions_points']:.3f} of points, "
              f"{b['false_contradictions_answers']:.3f} of answers")
        print("mean score by kind: " + ", ".join(f"{k} {v:.2f}" for k, v in b["mean_score_by_kind"].items()))
    s = report.get("semeval")
    if isinstance(s, dict):
        print(f"SemEval-2013 2-way (held-back half: {s['answers']} answers, {s['questions']} questions), 5-fold by question")
        print(f"{'':<28}{'accuracy':>9}{'macro-F1':>10}")
        for name in ("evaluator_built_rubrics", "evaluator_reference_point", "naive_cosine"):
            print(f"{name:<28}{s[name]['accuracy']:>9.3f}{s[name]['macro_f1']:>10.3f}")
    elif s:
        print("SemEval-2013: data absent (../shared/datasets/), skipped")


if __name__ == "__main__":
    main()
