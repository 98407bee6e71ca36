"""How well the parse judge (evaluator/judge/parse.py) finds contradictions, beside the word-rule judge.

Pairs: for each labelled key point of an answer, the point's phrasings (text and alternatives) against
the TOP_SENTENCES sentences of the answer (rubric.sentences.split_sentences) that the bi-encoder finds
most similar to the point; a point is flagged when any of its pairs is judged a contradiction.
- The project's graded answers (accuracy_data.load_graded), fitting and held-back questions apart:
  contradiction recall (contradicted points flagged) and false flags (covered points of correct
  answers, accuracy_data.CORRECT_KINDS, flagged).
- The blind set (accuracy_data.BLIND_DIR, correct kinds BLIND_CORRECT_KINDS): the same two figures.
- tests/data/judge/bank_statements.yaml (statement vs key point text: recall on `contradicts`, a row
  per `how`, false flags on `supports`) and tests/data/judge/foreign_rubrics.yaml (each sentence of
  the reference as a point against the answer's sentences: all_wrong and one_wrong answers flagged,
  correct answers flagged), if present. Both are evaluation-only sets: never develop against them.
Both judges see exactly the same pairs; "either" flags what either of them flags. Time per pair is
measured for each in the same run.

Usage: python scripts/eval_parse_judge.py [--fitting-only] [--show ROW-PREFIX [--flags]]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy_data import (
    BLIND_CORRECT_KINDS,
    BLIND_DIR,
    CORRECT_KINDS,
    ROOT,
    DiskCachedEmbedder,
    is_held_back,
    load_graded,
)

from evaluator.contradiction import find_contradiction
from evaluator.judge import Conflict
from evaluator.judge.parse import ParseJudge
from rubric import load_bank
from rubric.sentences import split_sentences

TOP_SENTENCES = 2
JUDGE_DIR = ROOT / "tests" / "data" / "judge"

Pair = tuple[str, str]
Verdicts = Callable[[Sequence[Pair]], list[object | None]]


@dataclass(frozen=True)
class Case:
    """One thing to flag or not: a set of (point, sentence) pairs, flagged if any pair is judged a conflict."""

    group: str  # the row of the table it counts in
    expected: bool  # True: a contradiction should be found
    pairs: tuple[Pair, ...]
    label: str  # for --show


def top_sentences(
    embedder, phrasings: Sequence[str], sentences: Sequence[str], k: int = TOP_SENTENCES
) -> list[str]:
    """The k sentences most similar (best cosine over the phrasings) to a point."""
    if len(sentences) <= k:
        return list(sentences)
    sims = (embedder.encode(list(phrasings)) @ embedder.encode(list(sentences)).T).max(axis=0)
    return [sentences[j] for j in np.argsort(-sims, kind="stable")[:k]]


def answer_cases(answers, correct_kinds: frozenset[str], embedder, name: Callable[[str], str]) -> list[Case]:
    """Contradicted points (expected) and covered points of correct answers (not expected), as cases."""
    bank = load_bank()
    cases = []
    for answer in answers:
        sentences = [s.text for s in split_sentences(answer.text)]
        for point in bank[answer.question_id].key_points:
            label = answer.labels.get(point.id)
            if label == "contradicted":
                expected = True
            elif label == "covered" and answer.kind in correct_kinds:
                expected = False
            else:
                continue
            chosen = top_sentences(embedder, point.phrasings, sentences)
            pairs = tuple((p, s) for p in point.phrasings for s in chosen)
            cases.append(
                Case(
                    name(answer.question_id), expected, pairs, f"{answer.question_id}/{answer.id}/{point.id}"
                )
            )
    return cases


def bank_statement_cases(path: Path) -> list[Case]:
    """Each statement against its key point's text: `contradicts` expected (a row per `how`), `supports` not."""
    bank = load_bank()
    cases = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8")):
        point = next(p for p in bank[item["question_id"]].key_points if p.id == item["point_id"])
        for n, statement in enumerate(item["statements"]):
            if statement["label"] not in ("contradicts", "supports"):
                continue
            expected = statement["label"] == "contradicts"
            group = (
                f"bank statements: {statement.get('how', '?')}" if expected else "bank statements: supports"
            )
            label = f"{item['question_id']}/{item['point_id']}/{n}"
            cases.append(Case(group, expected, ((point.text, statement["text"]),), label))
    return cases


def foreign_cases(path: Path, embedder) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    for question in data["questions"] if isinstance(data, dict) else data:
        points = [s.text for s in split_sentences(question["reference"])]
        for answer in question["answers"]:
            if answer["kind"] not in ("all_wrong", "one_wrong", "correct"):
                continue
            sentences = [s.text for s in split_sentences(answer["text"])]
            pairs = tuple((p, s) for p in points for s in top_sentences(embedder, [p], sentences))
            expected = answer["kind"] != "correct"
            group = f"foreign rubrics: {answer['kind']}"
            cases.append(Case(group, expected, pairs, f"{question.get('id', '?')}/{answer.get('id', '?')}"))
    return cases


def run(judge: Verdicts, cases: Sequence[Case]) -> tuple[list[list[object | None]], float]:
    """Each case's verdicts per pair, and the seconds per pair."""
    pairs = [p for c in cases for p in c.pairs]
    start = time.perf_counter()
    verdicts = judge(pairs)
    seconds = (time.perf_counter() - start) / max(1, len(pairs))
    out, it = [], iter(verdicts)
    for case in cases:
        out.append([next(it) for _ in case.pairs])
    return out, seconds


def word_rules(pairs: Sequence[Pair]) -> list[object | None]:
    return [find_contradiction(point, sentence) for point, sentence in pairs]


def explain(verdict: object) -> str:
    if isinstance(verdict, Conflict):
        return f"[{verdict.kind}] {verdict.explanation}"
    return f"[{verdict.kind}] {verdict.detail}"  # a word-rule ContradictionCue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--show", metavar="GROUP", help="print the cases of rows whose name starts with GROUP"
    )
    parser.add_argument(
        "--flags", action="store_true", help="with --show: only the cases the parse judge gets wrong"
    )
    parser.add_argument(
        "--fitting-only",
        action="store_true",
        help="only the graded answers to fitting questions (for development)",
    )
    args = parser.parse_args()

    embedder = DiskCachedEmbedder()
    graded = [a for a in load_graded() if not (args.fitting_only and is_held_back(a.question_id))]
    cases = answer_cases(
        graded,
        CORRECT_KINDS,
        embedder,
        lambda q: "graded, held-back" if is_held_back(q) else "graded, fitting",
    )
    if not args.fitting_only:
        cases += answer_cases(load_graded(BLIND_DIR), BLIND_CORRECT_KINDS, embedder, lambda q: "blind")
        for path, build in (
            (JUDGE_DIR / "bank_statements.yaml", bank_statement_cases),
            (JUDGE_DIR / "foreign_rubrics.yaml", lambda p: foreign_cases(p, embedder)),
        ):
            if path.is_file():
                cases += build(path)
            else:
                print(f"{path.relative_to(ROOT)}: absent, skipped")
    embedder.save()

    parse_judge = ParseJudge()
    parse_judge.judge([("Warm up the parser.", "It loads once.")])
    parsed, parse_seconds = run(parse_judge.judge, cases)
    worded, word_seconds = run(word_rules, cases)

    rows: dict[str, list[tuple[bool, bool, bool]]] = defaultdict(list)
    for case, p, w in zip(cases, parsed, worded):
        rows[case.group].append((case.expected, any(v is not None for v in p), any(v is not None for v in w)))
    print_table(rows)
    pairs = [p for c in cases for p in c.pairs]
    print(
        f"time per pair: parse judge {parse_seconds * 1e3:.2f} ms, word rules {word_seconds * 1e3:.3f} ms "
        f"({len(pairs)} pairs; {len({s for _, s in pairs})} sentences and {len({p for p, _ in pairs})} points "
        f"parsed once each, in one call, on a cold cache)"
    )
    if args.show:
        show(cases, parsed, worded, args.show, args.flags)


def print_table(rows: dict[str, list[tuple[bool, bool, bool]]]) -> None:
    order = ["graded, fitting", "graded, held-back", "blind"]
    names = sorted(rows, key=lambda n: (order.index(n) if n in order else len(order), n))
    print(f"{'set':<34}{'measure':<16}{'n':>5}{'parse':>8}{'words':>8}{'either':>8}")
    for name in names:
        for expected, measure in ((True, "recall"), (False, "false flags")):
            items = [(p, w) for e, p, w in rows[name] if e == expected]
            if not items:
                continue
            parse = sum(p for p, _ in items) / len(items)
            words = sum(w for _, w in items) / len(items)
            either = sum(p or w for p, w in items) / len(items)
            print(f"{name:<34}{measure:<16}{len(items):>5}{parse:>8.3f}{words:>8.3f}{either:>8.3f}")


def show(cases, parsed, worded, group: str, only_wrong: bool) -> None:
    for case, p, w in zip(cases, parsed, worded):
        if not case.group.startswith(group):
            continue
        flagged = any(v is not None for v in p)
        if only_wrong and flagged == case.expected:
            continue
        print(
            f"\n== {case.label} expected={case.expected} parse={flagged} words={any(v is not None for v in w)}"
        )
        for (point, sentence), pv, wv in zip(case.pairs, p, w):
            marks = (f" PARSE {explain(pv)}" if pv else "") + (f" WORDS {explain(wv)}" if wv else "")
            print(f"  P: {point}\n  S: {sentence}{marks}")


if __name__ == "__main__":
    main()
