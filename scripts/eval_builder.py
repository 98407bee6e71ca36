"""How close are automatically built rubrics to the curated bank?

Builds rubrics for the 45 bank questions from the seed article's answer intents and answers
(through the importer, exactly as `evaluator rubric import` does) and compares them with the
curated bank (rubric/data/questions):

- recall     share of curated key points that some built point matches
- precision  share of built key points that match some curated point
  ("matches": the best cosine between any phrasing of the one and any phrasing of the other is
  at least THRESHOLD; 0.60 is the evaluator's own `covered` similarity)
- spearman   rank correlation between the evaluator's scores with the built rubrics and with the
  curated rubrics, over the graded answers in tests/data/graded/*.yaml

Two baselines are measured in the same run: `sentences` (one key point per sentence of the
intent and the answer, nothing else) and `wrong-question` (the built rubric of the next question
of the same level, which shows how much matching happens by chance at the threshold). Two more
rows build from one source alone, as users may (`intent-only`, `reference-only`). A ceiling
line gives the recall of a rubric made of every candidate claim, every sentence and the whole
intent and answer (up to 20 points): no selection from the article's text can recall more. A
reference row, `curated-text`, scores with the curated points' main texts alone (no alternative
phrasings, no misconceptions): the spearman of a builder that wrote every curated point exactly,
one phrasing each. A `bare-cosine` row scores each answer by its cosine with the question's
reference answer (no rubric at all), the baseline a rubric must beat.

Before the table: builder failures over every reference answer at hand (all SemEval-2013
training references, each with its question, and every bank question built from its intent,
its reference answer, and both), which must be 0.

    .venv/bin/python scripts/eval_builder.py [--article PATH] [--threshold 0.6]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from accuracy_data import SEMEVAL_FILE, load_graded, load_semeval  # noqa: E402

from evaluator import CachingEmbedder, EvaluationRequest, Evaluator, make_embedder  # noqa: E402
from rubric import KeyPoint, Question, RubricError, load_bank  # noqa: E402
from rubric.build import build_rubric, draw_candidates  # noqa: E402
from rubric.importer import import_document  # noqa: E402
from rubric.text import split_into_sentences  # noqa: E402

DEFAULT_ARTICLE = ROOT.parent / "shared" / "seed" / "000_c29f6f17f4ffad1c.txt"
THRESHOLD = 0.60
TARGETS = {"recall": 0.8, "precision": 0.7, "spearman": 0.9}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--article", type=Path, default=DEFAULT_ARTICLE)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--show", action="store_true", help="print each built rubric beside the curated one")
    args = parser.parse_args()
    if not args.article.is_file():
        print(f"no article at {args.article}", file=sys.stderr)
        return 2

    embedder = CachingEmbedder(make_embedder())
    curated = load_bank()
    _print_failures(embedder, curated)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result = import_document(args.article, folder, embedder=embedder)
        build_seconds = time.perf_counter() - started
        built = {q.id: q for q in result.questions}
    ids = [qid for qid in curated if qid in built]
    print(f"built {len(built)} rubrics in {build_seconds:.1f} s; {len(ids)} match a curated question id")
    if result.failed:
        for failure in result.failed:
            print(f"  not built: {failure}")

    sentences = {qid: _sentence_rubric(built[qid]) for qid in ids}
    shifted = _shifted(ids, built)
    texts_only = {qid: _main_texts_only(curated[qid]) for qid in ids}
    one_source = {
        "intent-only": {qid: _built_from(built[qid], embedder, intent=built[qid].intent) for qid in ids},
        "reference-only": {
            qid: _built_from(built[qid], embedder, reference=built[qid].reference_answer) for qid in ids
        },
    }
    rubrics = {
        "builder": built, **one_source,
        "sentences": sentences, "wrong-question": shifted, "curated-text": texts_only,
    }

    evaluator = Evaluator(embedder=embedder, bank=curated)
    answers = _graded_answers(set(ids))
    curated_scores = _scores(evaluator, answers, lambda qid: None)
    grades = np.array([grade for _, _, grade in answers], dtype=float)

    rows = []
    for name, table in rubrics.items():
        recall, precision = _overlap(embedder, curated, table, ids, args.threshold)
        scores = _scores(evaluator, answers, lambda qid, table=table: table[qid])
        rho = float(spearmanr(scores, curated_scores).statistic)
        rho_grade = float(spearmanr(scores, grades).statistic)
        points = np.mean([len(table[qid].key_points) for qid in ids])
        rows.append((name, recall, precision, rho, rho_grade, points))
    cosine = _bare_cosines(embedder, curated, answers)
    rows.append(("bare-cosine", float("nan"), float("nan"), float(spearmanr(cosine, curated_scores).statistic),
                 float(spearmanr(cosine, grades).statistic), 0.0))
    curated_grade = float(spearmanr(curated_scores, grades).statistic)
    curated_points = np.mean([len(curated[qid].key_points) for qid in ids])

    print(f"\n{len(ids)} questions, {len(answers)} graded answers, match threshold cosine >= {args.threshold:.2f}\n")
    header = f"{'rubrics':<16}{'recall':>8}{'precision':>11}{'spearman':>10}{'vs grade':>10}{'points/q':>10}"
    print(header)
    print("-" * len(header))
    for name, recall, precision, rho, rho_grade, points in rows:
        if np.isnan(recall):
            print(f"{name:<16}{'-':>8}{'-':>11}{rho:>10.3f}{rho_grade:>10.3f}{'-':>10}")
            continue
        print(f"{name:<16}{recall:>8.3f}{precision:>11.3f}{rho:>10.3f}{rho_grade:>10.3f}{points:>10.1f}")
    print(f"{'curated':<16}{1:>8.3f}{1:>11.3f}{1:>10.3f}{curated_grade:>10.3f}{curated_points:>10.1f}")
    print(f"\ntargets: recall >= {TARGETS['recall']}, precision >= {TARGETS['precision']}, spearman >= {TARGETS['spearman']}")
    builder, baseline = rows[0], next(row for row in rows if row[0] == "sentences")
    ratios = [builder[i] / baseline[i] if baseline[i] else float("nan") for i in (1, 2, 3)]
    print(f"builder / sentences baseline: recall x{ratios[0]:.2f}, precision x{ratios[1]:.2f}, spearman x{ratios[2]:.2f}")
    ceiling = {qid: _everything_rubric(built[qid]) for qid in ids}
    recall, precision = _overlap(embedder, curated, ceiling, ids, args.threshold)
    print(f"ceiling (every claim, sentence and whole text of the source, as points): recall {recall:.3f}")
    for threshold in (0.5, 0.55, 0.65, 0.7):
        recall, precision = _overlap(embedder, curated, built, ids, threshold)
        print(f"  at cosine >= {threshold:.2f}: recall {recall:.3f}, precision {precision:.3f}")
    if args.show:
        _show(embedder, curated, built, ids, args.threshold)
    return 0


def _print_failures(embedder, curated) -> None:
    """Builder failures over every reference answer at hand: none may fail."""
    rows = load_semeval() or []
    pairs = list(dict.fromkeys((r["question"], ref) for r in rows for ref in r["references"]))
    failed = [f"semeval: {q[:60]!r} / {ref[:60]!r}: {exc}" for q, ref in pairs
              if (exc := _failure(q, None, ref, embedder)) is not None]
    bank = [(q, kw) for q in curated.values()
            for kw in ({"intent": q.intent}, {"reference": q.reference_answer},
                       {"intent": q.intent, "reference": q.reference_answer}) if all(kw.values())]
    failed += [f"bank: {q.id} from {'+'.join(kw)}: {exc}" for q, kw in bank
               if (exc := _failure(q.text, kw.get("intent"), kw.get("reference"), embedder)) is not None]
    source = SEMEVAL_FILE.name if rows else "absent"
    print(f"builder failures: {len(failed)} of {len(pairs)} SemEval references ({source}) "
          f"and {len(bank)} bank builds")
    for line in failed[:20]:
        print(f"  {line}")


def _failure(question: str, intent: str | None, reference: str | None, embedder) -> str | None:
    try:
        build_rubric(question, intent, reference, embedder=embedder)
    except RubricError as exc:
        return str(exc)
    return None


def _bare_cosines(embedder, curated, answers) -> np.ndarray:
    """Each answer's cosine with its question's reference answer: scoring without a rubric."""
    references = embedder.encode([curated[qid].reference_answer or curated[qid].text for qid, _, _ in answers])
    return np.sum(embedder.encode([text for _, text, _ in answers]) * references, axis=1)


def _overlap(embedder, curated, built, ids: list[str], threshold: float) -> tuple[float, float]:
    """(recall of curated points, precision of built points) at the threshold, pooled over questions."""
    recalled = total_curated = precise = total_built = 0
    for qid in ids:
        similarity = _point_similarity(embedder, curated[qid].key_points, built[qid].key_points)
        recalled += int((similarity.max(axis=1) >= threshold).sum())
        precise += int((similarity.max(axis=0) >= threshold).sum())
        total_curated += similarity.shape[0]
        total_built += similarity.shape[1]
    return recalled / total_curated, precise / total_built


def _point_similarity(embedder, first: tuple[KeyPoint, ...], second: tuple[KeyPoint, ...]) -> np.ndarray:
    """(len(first) x len(second)) best cosine between any phrasings of the two points."""
    def vectors(points):
        texts = [t for p in points for t in p.phrasings]
        owner = np.array([i for i, p in enumerate(points) for _ in p.phrasings])
        return embedder.encode(texts), owner

    a, a_owner = vectors(first)
    b, b_owner = vectors(second)
    cos = a @ b.T
    out = np.full((len(first), len(second)), -1.0)
    for i in range(len(first)):
        for j in range(len(second)):
            out[i, j] = cos[np.ix_(a_owner == i, b_owner == j)].max()
    return out


def _built_from(
    question: Question, embedder, intent: str | None = None, reference: str | None = None
) -> Question:
    """The rubric built from the question and one of its two source texts."""
    return build_rubric(question.text, intent, reference, id=question.id, embedder=embedder)


def _sentence_rubric(question: Question) -> Question:
    """The baseline: every sentence of the intent and the reference answer, as is."""
    texts = [s for text in (question.intent, question.reference_answer) if text for s in split_into_sentences(text)]
    points = tuple(KeyPoint(id=f"s{i + 1}", text=t[:300]) for i, t in enumerate(texts) if len(t) >= 3)
    return question.model_copy(update={"key_points": points[:20]})


def _main_texts_only(question: Question) -> Question:
    """The curated rubric with each point's main text only: no alternatives, no misconceptions."""
    points = tuple(p.model_copy(update={"alternatives": (), "misconceptions": ()}) for p in question.key_points)
    return question.model_copy(update={"key_points": points})


def _everything_rubric(question: Question) -> Question:
    """Every candidate claim, every sentence and both whole texts as points: the recall ceiling."""
    texts = [c.text for c in draw_candidates(question.text, question.intent, question.reference_answer)]
    sources = [t for t in (question.intent, question.reference_answer) if t]
    texts += [s for text in sources for s in split_into_sentences(text)] + sources
    unique = [t[:300] for t in dict.fromkeys(texts) if len(t) >= 3]
    points = tuple(KeyPoint(id=f"p{i + 1}", text=t) for i, t in enumerate(unique))
    return question.model_copy(update={"key_points": points[:20]})


def _shifted(ids: list[str], built: dict[str, Question]) -> dict[str, Question]:
    """Each question gets the built rubric of the next question of its level."""
    out = {}
    for qid in ids:
        level, number = qid.rsplit("-", 1)
        siblings = sorted(i for i in ids if i.startswith(level + "-"))
        other = siblings[(siblings.index(qid) + 1) % len(siblings)]
        out[qid] = built[other].model_copy(update={"id": qid})
    return out


def _graded_answers(ids: set[str]) -> list[tuple[str, str, float]]:
    return [(a.question_id, a.text, float(a.grade)) for a in load_graded() if a.question_id in ids]


def _scores(evaluator: Evaluator, answers, rubric_for) -> np.ndarray:
    requests = [
        EvaluationRequest(text, question_id=qid, rubric=rubric_for(qid)) for qid, text, _ in answers
    ]
    results = evaluator.evaluate_many(requests)
    return np.array([r.score for r in results])


def _show(embedder, curated, built, ids: list[str], threshold: float) -> None:
    for qid in ids:
        similarity = _point_similarity(embedder, curated[qid].key_points, built[qid].key_points)
        print(f"\n== {qid}: {curated[qid].text}")
        for i, p in enumerate(curated[qid].key_points):
            best = similarity[i].max()
            print(f"  {'+' if best >= threshold else '-'} {best:.2f} curated: {p.text}")
        for j, p in enumerate(built[qid].key_points):
            best = similarity[:, j].max()
            print(f"  {'+' if best >= threshold else '-'} {best:.2f} built({p.weight:g}): {p.text}")


if __name__ == "__main__":
    sys.exit(main())
