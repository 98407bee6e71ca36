"""Would a cross-encoder fine-tuned from the bundled model judge answers better? (Measured, not used.)

A cross-encoder reads a key point and an answer's sentence together, so word order reaches it,
unlike the pooled sentence vectors the evaluator compares. This script fine-tunes one from
all-MiniLM-L6-v2 on the CPU (10-20 minutes) with data from the fitting questions only, then
measures it on the held-back questions and the blind set, beside the evaluator:

- `contradiction`: does the sentence contradict the point? Trained on the fitting questions'
  phrasings (agree), their misconceptions and negated or term-swapped phrasings (contradict),
  other points' phrasings (unrelated) and the graded answers' best sentences (labels).
  Prints the AUC of contradicted against covered points and the share found at 1%, 2% and 5%
  of covered points of correct answers flagged.
- `coverage`: does the sentence state the point? Trained on the SemEval fitting half (answer,
  reference), the fitting questions' alternative phrasings and the graded answers' best
  sentences. Prints covered F1 and SemEval macro-F1 on the held-back halves, and what it adds
  beside the evaluator's own probability.

    .venv/bin/python scripts/try_cross_encoder.py contradiction|coverage [--epochs N] [--lr X]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import f1_score, roc_auc_score
from transformers import AutoModelForSequenceClassification, AutoTokenizer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from accuracy_data import (
    BLIND_CORRECT_KINDS,
    BLIND_DIR,
    CORRECT_KINDS,
    DiskCachedEmbedder,
    is_held_back,
    load_graded,
    load_semeval,
    semeval_is_held_back,
    semeval_requests,
)

from evaluator import EvaluationRequest, Evaluator
from evaluator.embedding import bundled_model_path
from evaluator.matching import coverage_probability
from rubric import load_bank

NO_WRONG_CLAIM = CORRECT_KINDS | BLIND_CORRECT_KINDS
BATCH = 16
MAX_TOKENS = 128
_AUXILIARY = re.compile(r"\b(is|are|can|does|do|will|has|have)\b")
_NEGATED = {"can": "cannot", "does": "does not", "do": "do not", "will": "will not", "has": "has not",
            "have": "have not"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("task", choices=("contradiction", "coverage"))
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--lr", type=float, default=None)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(2)
    rng = random.Random(0)
    evaluator = Evaluator(embedder=DiskCachedEmbedder())
    bank = load_bank()
    graded = load_graded()
    sets = {
        "fitting": [a for a in graded if not is_held_back(a.question_id)],
        "held back": [a for a in graded if is_held_back(a.question_id)],
        "blind": load_graded(BLIND_DIR),
    }
    items = {name: _point_items(evaluator, answers) for name, answers in sets.items()}
    if args.task == "contradiction":
        pairs = _contradiction_pairs(bank, items["fitting"], rng)
        model = _fine_tune(pairs, args.epochs or 3, args.lr or 4e-5, rng)
        for name, its in items.items():
            _report_contradiction(name, model, its)
    else:
        rows = load_semeval() or []
        pairs = _coverage_pairs(bank, items["fitting"], rows, rng)
        model = _fine_tune(pairs, args.epochs or 2, args.lr or 3e-5, rng)
        _report_coverage(model, items, rows, rng)
    return 0


def _point_items(evaluator: Evaluator, answers) -> list[dict]:
    """Each (answer, point): its label, the evaluator's verdict and probability, its two best sentences."""
    requests = [EvaluationRequest(a.text, question_id=a.question_id) for a in answers]
    out = []
    for a, d in zip(answers, evaluator.match_details(requests)):
        r = evaluator._result(d)  # what evaluate_many returns, without matching the answer again
        probability = coverage_probability(d.features, evaluator.calibration)
        rubric = evaluator.index.vectors(d.question)
        for i, point in enumerate(d.question.key_points):
            order = np.argsort(-d.point_similarity[i], kind="stable")
            best = [j for j in order if d.segments[j].kind != "pair"][:2]
            mine = np.flatnonzero(rubric.misconception_owner == i)
            gaps = d.misconception_similarity[np.ix_(mine, best)] - d.point_similarity[i, best]
            margin = float(gaps.max()) if mine.size else -1.0
            out.append({
                "label": a.labels[point.id], "correct_answer": a.kind in NO_WRONG_CLAIM, "point": point.text,
                "sentences": [d.segments[j].text for j in best], "verdict": r.points[i].verdict,
                "probability": float(probability[i]), "margin": margin,
            })
    return out


Pair = tuple[str, str, int]  # (sentence, key point, label)


def _contradiction_pairs(bank, fitting: list[dict], rng: random.Random) -> list[Pair]:
    pairs = []
    for qid, question in bank.items():
        if is_held_back(qid):
            continue
        points = question.key_points
        vocabulary = Counter(w for p in points for w in set(re.findall(r"[A-Za-z][a-z]{3,}", p.text)))
        terms = {w for w, n in vocabulary.items() if n >= 2}
        for i, point in enumerate(points):
            right = list(point.phrasings)
            pairs += [(a, b, 0) for a in right for b in right if a != b]
            pairs += [(m, r, 1) for m in point.misconceptions for r in right[:2]]
            others = [t for j, o in enumerate(points) if j != i for t in o.phrasings]
            pairs += [(t, point.text, 0) for t in rng.sample(others, min(2, len(others)))]
            for text in right:
                wrong = (_negate(text), _swap_terms(text, terms))
                pairs += [(w, point.text, 1) for w in wrong if w]
    pairs += [(it["sentences"][0], it["point"], int(it["label"] == "contradicted"))
              for it in fitting if it["label"] in ("covered", "contradicted")]
    return pairs


def _negate(text: str) -> str | None:
    match = _AUXILIARY.search(text)
    if not match:
        return None
    word = match.group(1)
    return text[: match.start()] + _NEGATED.get(word, word + " not") + text[match.end():]


def _swap_terms(text: str, terms: set[str]) -> str | None:
    """The first two of the question's recurring terms in the text, swapped."""
    found = [w for w in dict.fromkeys(re.findall(r"[A-Za-z][a-z]{3,}", text)) if w in terms]
    if len(found) < 2:
        return None
    a, b = found[:2]
    swapped = re.sub(rf"\b({a}|{b})\b", lambda m: b if m.group(1) == a else a, text)
    return swapped if swapped != text else None


def _coverage_pairs(
    bank, fitting: list[dict], rows: list[dict], rng: random.Random
) -> list[Pair]:
    pairs = [(r["answer"], r["reference"], int(r["label"] == "correct"))
             for r in rows if not semeval_is_held_back(r) and r["answer"].strip()]
    for qid, question in bank.items():
        if is_held_back(qid):
            continue
        points = question.key_points
        for i, point in enumerate(points):
            pairs += [(a, point.text, 1) for a in point.alternatives]
            others = [t for j, o in enumerate(points) if j != i for t in o.phrasings]
            pairs += [(t, point.text, 0) for t in rng.sample(others, min(2, len(others)))]
    pairs += [(it["sentences"][0], it["point"], int(it["label"] == "covered")) for it in fitting]
    return pairs


class _CrossEncoder:
    def __init__(self) -> None:
        path = bundled_model_path()
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=2)

    def logits(self, first: list[str], second: list[str]) -> torch.Tensor:
        encoded = self.tokenizer(first, second, truncation=True, max_length=MAX_TOKENS, padding=True,
                                 return_tensors="pt")
        return self.model(**encoded).logits

    @torch.no_grad()
    def probability(self, first: list[str], second: list[str]) -> np.ndarray:
        self.model.eval()
        out = [torch.softmax(self.logits(first[k:k + 64], second[k:k + 64]), -1)[:, 1].numpy()
               for k in range(0, len(first), 64)]
        return np.concatenate(out) if out else np.zeros(0)

    def best_of(self, items: list[dict]) -> np.ndarray:
        """Each item's highest probability over its sentences."""
        first = [s for it in items for s in it["sentences"]]
        owner = np.array([n for n, it in enumerate(items) for _ in it["sentences"]])
        out = np.full(len(items), -1.0)
        second = [it["point"] for it in items for _ in it["sentences"]]
        np.maximum.at(out, owner, self.probability(first, second))
        return out


def _fine_tune(pairs: list[Pair], epochs: int, lr: float, rng: random.Random) -> _CrossEncoder:
    encoder = _CrossEncoder()
    steps = epochs * (len(pairs) // BATCH)
    optimizer = torch.optim.AdamW(encoder.model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, 1 - s / steps)
    )
    print(f"{len(pairs)} training pairs ({sum(p[2] for p in pairs)} positive), {epochs} epochs, lr {lr:g}",
          flush=True)
    started = time.perf_counter()
    encoder.model.train()
    for _ in range(epochs):
        rng.shuffle(pairs)
        for k in range(0, len(pairs) - BATCH + 1, BATCH):
            batch = pairs[k:k + BATCH]
            loss = torch.nn.functional.cross_entropy(
                encoder.logits([a for a, _, _ in batch], [b for _, b, _ in batch]),
                torch.tensor([label for *_, label in batch]),
            )
            loss.backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
    print(f"fine-tuned in {time.perf_counter() - started:.0f} s", flush=True)
    return encoder


def _report_contradiction(name: str, encoder: _CrossEncoder, items: list[dict]) -> None:
    items = [it for it in items if it["label"] in ("covered", "contradicted")]
    contradicted = np.array([it["label"] == "contradicted" for it in items])
    clean = np.array([it["label"] == "covered" and it["correct_answer"] for it in items])
    flagged = np.array([it["verdict"] == "contradicted" for it in items])
    scores = {
        "cross-encoder": encoder.best_of(items),
        "misconception margin": np.array([it["margin"] for it in items]),
    }
    print(f"\n{name}: {contradicted.sum()} contradicted, {(~contradicted).sum()} covered points; "
          f"evaluator finds {flagged[contradicted].mean():.2f} with {flagged[clean].mean():.3f} "
          "of covered points of correct answers flagged")
    for label, score in scores.items():
        found = [np.mean(score[contradicted] > np.quantile(score[clean], 1 - rate))
                 for rate in (0.01, 0.02, 0.05)]
        print(f"  {label:<21} AUC {roc_auc_score(contradicted, score):.3f}   found at 1% / 2% / 5% flagged: "
              + " / ".join(f"{f:.2f}" for f in found))


def _report_coverage(
    encoder: _CrossEncoder, items: dict[str, list[dict]], rows: list[dict], rng: random.Random
) -> None:
    fitting = encoder.best_of(items["fitting"])
    covered = np.array([it["label"] == "covered" for it in items["fitting"]])
    threshold = max(np.arange(0.05, 0.96, 0.05), key=lambda t: f1_score(covered, fitting >= t))
    print(f"\ncovered if probability >= {threshold:.2f} (best F1 on the fitting questions)")
    for name in ("held back", "blind"):
        its = items[name]
        truth = np.array([it["label"] == "covered" for it in its])
        score = encoder.best_of(its)
        mine = f1_score(truth, score >= threshold)
        theirs = f1_score(truth, np.array([it["verdict"] == "covered" for it in its]))
        print(f"{name}: covered F1 {mine:.3f} (evaluator {theirs:.3f}), "
              f"AUC {roc_auc_score(truth, score):.3f}")
        # beside the evaluator's probability, weight and threshold chosen on these answers (an upper bound)
        keep = np.array([it["label"] != "contradicted" for it in its])
        own = _logit(np.array([it["probability"] for it in its]))[keep]
        best = {
            w: max(f1_score(truth[keep], own + w * _logit(score[keep]) >= t) for t in np.arange(-3, 3, 0.1))
            for w in (0.0, 0.25, 0.5, 1.0)
        }
        print("  beside the evaluator (contradicted points left out), best F1 by weight: "
              + ", ".join(f"{w:g}: {f:.3f}" for w, f in best.items()))
    if not rows:
        print("SemEval data absent")
        return
    fit_requests, fit_truth = semeval_requests([r for r in rows if not semeval_is_held_back(r)])
    chosen = rng.sample(range(len(fit_requests)), 1500)
    fit_requests, fit_truth = [fit_requests[i] for i in chosen], np.array([fit_truth[i] for i in chosen])
    held_requests, truth = semeval_requests([r for r in rows if semeval_is_held_back(r)])
    truth = np.array(truth)
    fit_scores, held_scores = _semeval_scores(encoder, fit_requests), _semeval_scores(encoder, held_requests)
    cut = max(np.arange(0.05, 0.96, 0.05),
              key=lambda t: f1_score(fit_truth, fit_scores >= t, average="macro"))
    print(f"SemEval held-back half ({len(held_requests)} answers), "
          f"threshold {cut:.2f} from the fitting half: "
          f"accuracy {np.mean((held_scores >= cut) == truth):.3f}, "
          f"macro-F1 {f1_score(truth, held_scores >= cut, average='macro'):.3f}")


def _semeval_scores(encoder: _CrossEncoder, requests: list) -> np.ndarray:
    """Each answer's highest probability over (up to six of) its question's reference answers, the
    phrasings of its one-point rubric (accuracy_data.semeval_requests)."""
    items = [{"point": reference, "sentences": [r.answer]}
             for r in requests for reference in r.rubric.key_points[0].phrasings[:6]]
    owner = np.array([n for n, r in enumerate(requests) for _ in r.rubric.key_points[0].phrasings[:6]])
    out = np.full(len(requests), -1.0)
    np.maximum.at(out, owner, encoder.best_of(items))
    return out


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


if __name__ == "__main__":
    sys.exit(main())
