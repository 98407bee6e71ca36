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

On the held-out judge sets (tests/data/judge, written apart from the rubrics and the code): single
statements aimed at one key point of a bank question (is that point contradicted when the statement
is wrong, and left alone when it is right?), and rubrics built from reference answers of questions
outside the bank, against correct, all-wrong and one-wrong answers. The held-back figures are also
given with every rubric's misconceptions removed, as a user's own rubric has none.

Usage: python scripts/eval_accuracy.py [--json out.json] [--no-semeval] [--judge NAME]
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
    JUDGE_DIR,
    DiskCachedEmbedder,
    is_held_back,
    load_bank_statements,
    load_foreign_rubrics,
    load_graded,
    load_semeval,
    semeval_built_requests,
    semeval_is_held_back,
    semeval_requests,
    without_misconceptions,
)

from evaluator import EvaluationRequest, Evaluator  # noqa: E402
from evaluator.calibration import load_calibration  # noqa: E402
from evaluator.judge import make_judge  # noqa: E402
from evaluator.judge.finder import Reading  # noqa: E402

VERDICTS = ("covered", "partial", "missed", "contradicted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--no-semeval", action="store_true")
    parser.add_argument("--all-questions", action="store_true", help="include the calibration questions")
    parser.add_argument(
        "--judge",
        default=None,
        help="sentence judges, read in order, separated by ';': NAME (evaluator.judge.JUDGES, or several joined "
        "by '+') with an optional @MIN_SIMILARITY/NEAR_BEST candidate policy; default: the shipped ones",
    )
    parser.add_argument("--fitting", action="store_true", help="only the fitting questions of the graded set")
    parser.add_argument("--calibration", type=Path, help="a calibration file other than the shipped one")
    args = parser.parse_args()

    embedder = DiskCachedEmbedder()
    judge = readings(args.judge) if args.judge else None
    calibration = load_calibration(args.calibration) if args.calibration else None
    evaluator = Evaluator(embedder=embedder, judge=judge, calibration=calibration)
    report: dict[str, object] = {"model": evaluator.model_name, "judge": args.judge or "default"}
    answers = [a for a in load_graded() if args.all_questions or is_held_back(a.question_id) != args.fitting]
    results = evaluator.evaluate_many([EvaluationRequest(a.text, question_id=a.question_id) for a in answers])
    report["project"] = project_figures(answers, results)
    bare = [without_misconceptions(evaluator.bank[a.question_id]) for a in answers]
    results = evaluator.evaluate_many([EvaluationRequest(a.text, rubric=q) for a, q in zip(answers, bare)])
    report["project_no_misconceptions"] = project_figures(answers, results)
    if args.fitting:
        embedder.save()
        print_table(report)
        return
    if (JUDGE_DIR / "bank_statements.yaml").is_file():
        report["statements"] = statement_figures(evaluator, load_bank_statements())
    if (JUDGE_DIR / "foreign_rubrics.yaml").is_file():
        report["foreign"] = foreign_figures(evaluator, load_foreign_rubrics())
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


def readings(spec: str) -> list[Reading]:
    """'words;parse@0.4/0.1' -> the word judge on the calibrated candidates, then the parse judge on
    segments at least 0.4 close to the point and within 0.1 of its best match."""
    out = []
    for part in spec.split(";"):
        name, _, policy = part.partition("@")
        if policy:
            low, _, near = policy.partition("/")
            out.append(Reading(make_judge(name), float(low), float(near or 0.0)))
        else:
            out.append(Reading(make_judge(name)))
    return out


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


def statement_figures(evaluator: Evaluator, rows: list[dict]) -> dict:
    """Each statement alone as the answer to its bank question (misconceptions removed, as on a
    user's rubric, and as listed): is its target point contradicted?"""
    figures = {}
    for name, strip in (("listed", False), ("none", True)):
        requests = []
        for row in rows:
            question = evaluator.bank[row["question_id"]]
            requests.append(EvaluationRequest(row["text"], rubric=without_misconceptions(question) if strip else question))
        results = evaluator.evaluate_many(requests)
        hit = [row["point_id"] in r.contradicted for row, r in zip(rows, results)]
        wrong = [h for h, row in zip(hit, rows) if row["label"] == "contradicts"]
        right = [h for h, row in zip(hit, rows) if row["label"] == "supports"]
        any_false = [bool(r.contradicted) for r, row in zip(results, rows) if row["label"] == "supports"]
        by_how = defaultdict(list)
        for h, row in zip(hit, rows):
            if row["label"] == "contradicts":
                by_how[row["how"]].append(h)
        figures[name] = {
            "wrong": len(wrong),
            "right": len(right),
            "recall": float(np.mean(wrong)),
            "false_target": float(np.mean(right)),
            "false_any": float(np.mean(any_false)),
            "recall_by_how": {k: float(np.mean(v)) for k, v in sorted(by_how.items())},
        }
    return figures


def foreign_figures(evaluator: Evaluator, questions: list[dict]) -> dict:
    """Rubrics built from reference answers of questions outside the bank (no misconceptions):
    contradicted points in all-wrong answers, false ones in correct answers, mean scores by kind."""
    from rubric.build import build_rubric

    requests, kinds = [], []
    failures = 0
    for q in questions:
        try:
            rubric = build_rubric(q["question"], reference_answer=q["reference"], id=q["id"], embedder=evaluator.embedder)
        except Exception:  # noqa: BLE001 - a builder failure is counted, not fatal here
            failures += 1
            continue
        for a in q["answers"]:
            requests.append(EvaluationRequest(a["text"], rubric=rubric))
            kinds.append(a["kind"])
    results = evaluator.evaluate_many(requests)
    by_kind: dict[str, list] = defaultdict(list)
    for kind, r in zip(kinds, results):
        by_kind[kind].append(r)

    def point_share(kind: str) -> float:
        return float(np.mean([p.verdict == "contradicted" for r in by_kind[kind] for p in r.points]))

    return {
        "questions": len(questions),
        "builder_failures": failures,
        "all_wrong_points_contradicted": point_share("all_wrong"),
        "all_wrong_answers_flagged": float(np.mean([bool(r.contradicted) for r in by_kind["all_wrong"]])),
        "one_wrong_answers_flagged": float(np.mean([bool(r.contradicted) for r in by_kind["one_wrong"]])),
        "correct_points_contradicted": point_share("correct"),
        "correct_answers_flagged": float(np.mean([bool(r.contradicted) for r in by_kind["correct"]])),
        "mean_score": {k: float(np.mean([r.score for r in v])) for k, v in sorted(by_kind.items())},
    }


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
    print(f"Model: {report['model']}, judge: {report['judge']}")
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
    n = report["project_no_misconceptions"]
    print(f"  the same with every rubric's misconceptions removed: Spearman {n['spearman']:.3f}, "
          f"contradiction recall {n['contradiction_recall']:.3f}, false contradictions "
          f"{n['false_contradictions_points']:.3f} of points, {n['false_contradictions_answers']:.3f} of answers")
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
        print(f"contradiction recall                {b['contradiction_recall']:.3f}")
        print("mean score by kind: " + ", ".join(f"{k} {v:.2f}" for k, v in b["mean_score_by_kind"].items()))
    st = report.get("statements")
    if st:
        print(f"Judge set 1, single statements on bank questions ({st['listed']['wrong']} wrong, "
              f"{st['listed']['right']} right): target point contradicted")
        for name, label in (("listed", "misconceptions as listed"), ("none", "misconceptions removed")):
            f = st[name]
            hows = ", ".join(f"{k} {v:.2f}" for k, v in f["recall_by_how"].items())
            print(f"  {label:<26} recall {f['recall']:.3f} ({hows}); right statements flagged "
                  f"{f['false_target']:.3f} (any point {f['false_any']:.3f})")
    fo = report.get("foreign")
    if fo:
        print(f"Judge set 2, rubrics built for {fo['questions']} questions outside the bank "
              f"({fo['builder_failures']} builder failures)")
        print(f"  all-wrong answers: {fo['all_wrong_points_contradicted']:.3f} of points contradicted, "
              f"{fo['all_wrong_answers_flagged']:.3f} of answers flagged; one-wrong answers flagged "
              f"{fo['one_wrong_answers_flagged']:.3f}")
        print(f"  correct answers: {fo['correct_points_contradicted']:.3f} of points contradicted, "
              f"{fo['correct_answers_flagged']:.3f} of answers flagged")
        print("  mean score by kind: " + ", ".join(f"{k} {v:.2f}" for k, v in fo["mean_score"].items()))
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
