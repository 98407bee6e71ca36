"""Precision and recall of matching asked questions to the bank, on tests/data/question_rephrasings.yaml.

The set holds rephrasings of every bank question (which must match their own id), small talk and
deep-learning questions the bank does not hold (which must match nothing). Items at even positions
of each list are the tuning half, odd positions the held-out half; the figures are printed for
both, so the held-out ones show what tuning did not see.

    precision = right matches / all matches made (a match of small talk or an outside question is wrong)
    recall    = right matches / rephrasings of bank questions

    .venv/bin/python scripts/eval_question_match.py [--threshold X] [--margin Y] [--sweep] [--errors]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SET = ROOT / "tests" / "data" / "question_rephrasings.yaml"
TRANSCRIPTS = ROOT / "tests" / "data" / "transcripts"
ASKED = ROOT / "tests" / "data" / "asked_points.yaml"


@dataclass(frozen=True)
class Case:
    text: str
    expected: str | None  # a bank id, or None for small talk and outside questions
    kind: str  # "rephrasing", "small_talk" or "outside_bank"
    half: str  # "tune" or "held-out"


def load_cases(path: Path = SET) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = [
        Case(text, qid, "rephrasing", _half(i))
        for qid, texts in data["rephrasings"].items()
        for i, text in enumerate(texts)
    ]
    for kind in ("small_talk", "outside_bank"):
        cases += [Case(text, None, kind, _half(i)) for i, text in enumerate(data[kind])]
    return cases


def _half(index: int) -> str:
    return "tune" if index % 2 == 0 else "held-out"


def figures(cases: list[Case], predicted: list[str | None]) -> tuple[float, float, int, int, int]:
    """(precision, recall, right, wrong, matched) of the predictions for the cases."""
    right = sum(1 for c, p in zip(cases, predicted, strict=True) if p is not None and p == c.expected)
    made = sum(1 for p in predicted if p is not None)
    positives = sum(1 for c in cases if c.expected is not None)
    precision = right / made if made else 1.0
    return precision, right / positives if positives else 0.0, right, made - right, made


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--margin", type=float, default=None)
    parser.add_argument("--sweep", action="store_true", help="grid of threshold x margin on the tuning half")
    parser.add_argument("--errors", action="store_true", help="list every wrong or missed case")
    parser.add_argument("--asked", action="store_true", help="measure the 'not asked' points instead")
    parser.add_argument(
        "--answers", action="store_true",
        help="also match with answers: each rephrasing with a graded answer to its question (tests/data/blind), "
        "each outside or small-talk question with an answer to the bank question nearest to it",
    )  # fmt: skip
    args = parser.parse_args()

    from evaluator import Evaluator
    from evaluator.batch.question_match import MATCH_MARGIN, MATCH_THRESHOLD, QuestionMatcher

    evaluator = Evaluator()
    if args.asked:
        return _asked_figures(evaluator, args.errors)
    cases = load_cases()
    threshold = MATCH_THRESHOLD if args.threshold is None else args.threshold
    margin = MATCH_MARGIN if args.margin is None else args.margin
    print(f"set: {SET.relative_to(ROOT)}: {len(cases)} cases, "
          f"{sum(c.kind == 'rephrasing' for c in cases)} rephrasings of "
          f"{len({c.expected for c in cases if c.expected})} bank questions, "
          f"{sum(c.kind == 'small_talk' for c in cases)} small talk, "
          f"{sum(c.kind == 'outside_bank' for c in cases)} outside the bank")  # fmt: skip

    if args.sweep:
        tune = [c for c in cases if c.half == "tune"]
        print("threshold margin  precision recall  (tuning half)")
        for t, m in itertools.product((0.50, 0.55, 0.58, 0.60, 0.62, 0.65), (0.0, 0.02, 0.03, 0.05)):
            matcher = QuestionMatcher(evaluator.bank, evaluator.embedder, threshold=t, margin=m)
            predicted = [r.question_id for r in matcher.match_many([c.text for c in tune])]
            p, r, *_ = figures(tune, predicted)
            print(f"{t:9.2f} {m:6.2f}  {p:9.3f} {r:6.3f}")
        return 0

    matcher = QuestionMatcher(evaluator.bank, evaluator.embedder, threshold=threshold, margin=margin)
    results = matcher.match_many([c.text for c in cases])
    predicted = [r.question_id for r in results]
    print(f"threshold {threshold}, margin {margin}")
    print("half       cases  precision  recall  right wrong  false matches of small talk/outside")
    for half in ("tune", "held-out", "all"):
        chosen = [i for i, c in enumerate(cases) if half in ("all", c.half)]
        sub, pred = [cases[i] for i in chosen], [predicted[i] for i in chosen]
        p, r, right, wrong, _ = figures(sub, pred)
        false_negatives = sum(1 for c, x in zip(sub, pred, strict=True) if c.expected is None and x)
        print(f"{half:9} {len(sub):6} {p:10.3f} {r:7.3f} {right:6} {wrong:5}  {false_negatives}")
    _transcript_figures(matcher)
    if args.answers:
        _answer_figures(matcher, cases, results)
    if args.errors:
        for case, result in zip(cases, results, strict=True):
            if result.question_id != case.expected:
                print(f"  [{case.half}] {case.kind} expected {case.expected} got {result.question_id} "
                      f"(best {result.best_id} {result.confidence:.2f}, then {result.runner_up_id} "
                      f"{result.runner_up_confidence:.2f}): {case.text}")  # fmt: skip
    return 0


def _asked_figures(evaluator: object, show: bool) -> int:
    """Precision and recall of the `not asked` flags on labelled partial questions, per half and delta."""
    from evaluator.batch.asked_parts import PART_DELTA, AskedParts

    examples = yaml.safe_load(ASKED.read_text(encoding="utf-8"))
    print(f"set: {ASKED.relative_to(ROOT)}: {len(examples)} asked questions, "
          f"{sum(len(e['not_asked']) for e in examples)} points labelled not asked, "
          f"{sum(len(e['asked']) for e in examples)} labelled asked")  # fmt: skip
    print("delta  half      flagged  right  wrong(asked point flagged)  precision  recall")
    for delta in sorted({0.05, 0.10, 0.15, 0.20, PART_DELTA}):
        finder = AskedParts(evaluator.bank, evaluator.embedder, delta=delta)  # type: ignore[attr-defined]
        flags = [finder.not_asked(e["text"], e["id"]) for e in examples]
        for half in ("tune", "held-out"):
            chosen = [
                (e, f) for i, (e, f) in enumerate(zip(examples, flags, strict=True)) if _half(i) == half
            ]
            right = sum(len(f & set(e["not_asked"])) for e, f in chosen)
            wrong = sum(len(f & set(e["asked"])) for e, f in chosen)
            labelled = sum(len(e["not_asked"]) for e, _ in chosen)
            precision = right / (right + wrong) if right + wrong else 1.0
            print(f"{delta:5.2f}  {half:9} {sum(len(f) for _, f in chosen):7} {right:6} {wrong:6}"
                  f"                      {precision:9.3f} {right / labelled if labelled else 0:7.3f}")  # fmt: skip
            if show and delta == PART_DELTA:
                for e, f in chosen:
                    print(f"     {e['id']} {sorted(f)} | labelled {e['not_asked']} | {e['text']}")
    return 0


def _answer_figures(matcher: object, cases: list[Case], alone: list[object]) -> None:
    """Question only vs question and answer, on the set, each case paired with a real answer.

    A rephrasing gets the answers graded 3 or more in tests/data/blind for its own question (one
    case per answer); a question that must match nothing gets those of the bank question it comes
    nearest to, the answer most likely to pull it into a wrong match.
    """
    blind = ROOT / "tests" / "data" / "blind"
    answers: dict[str, list[str]] = {}
    for path in sorted(blind.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        answers[data["question_id"]] = [a["text"] for a in data["answers"] if a.get("grade", 0) >= 3]
    paired, texts = [], []
    for case, match in zip(cases, alone, strict=True):
        for text in answers.get(case.expected or match.best_id, [])[:2]:  # type: ignore[attr-defined]
            paired.append(case)
            texts.append(text)
    print(f"with answers: {len(paired)} question-answer pairs (answers from {blind.relative_to(ROOT)})")
    print("half       mode            precision  recall  right wrong")
    from evaluator.batch.question_match import QuestionMatcher

    with_answers = QuestionMatcher(matcher.bank, matcher.embedder, rule=matcher.rule, use_answers=True)  # type: ignore[attr-defined]
    for label, given in (("question only", None), ("with answers", texts)):
        chosen_matcher = with_answers if given else matcher
        predicted = [r.question_id for r in chosen_matcher.match_many([c.text for c in paired], given)]  # type: ignore[attr-defined]
        for half in ("tune", "held-out"):
            chosen = [i for i, c in enumerate(paired) if c.half == half]
            p, r, right, wrong, _ = figures([paired[i] for i in chosen], [predicted[i] for i in chosen])
            print(f"{half:9}  {label:14} {p:10.3f} {r:7.3f} {right:6} {wrong:5}")


def _transcript_figures(matcher: object) -> None:
    """The same figures on the exchanges of tests/data/transcripts, without and with the answers."""
    from evaluator.batch.readers import InputRow, read_file

    truth = yaml.safe_load((TRANSCRIPTS / "truth.yaml").read_text(encoding="utf-8"))
    cases, answers = [], []
    for name, entry in truth.items():
        expected = {line: qid for line, qid, _ in entry["exchanges"]}
        for item in read_file(TRANSCRIPTS / name):
            if isinstance(item, InputRow):
                qid = expected[item.question_line]
                cases.append(Case(item.question or "", None if qid == "skipped" else qid, name, "all"))
                answers.append(item.answer)
    print(f"transcripts: {len(cases)} exchanges in {len(truth)} files, "
          f"{sum(c.expected is not None for c in cases)} of them bank questions")  # fmt: skip
    from evaluator.batch.question_match import QuestionMatcher

    with_answers = QuestionMatcher(matcher.bank, matcher.embedder, rule=matcher.rule, use_answers=True)  # type: ignore[attr-defined]
    for label, given in (("question only", None), ("with answers", answers)):
        chosen_matcher = with_answers if given else matcher
        predicted = [r.question_id for r in chosen_matcher.match_many([c.text for c in cases], given)]
        p, r, right, wrong, _ = figures(cases, predicted)
        print(f"  {label:14} precision {p:.3f} recall {r:.3f} ({right} right, {wrong} wrong)")


if __name__ == "__main__":
    sys.exit(main())
