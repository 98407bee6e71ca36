"""Does an answer's text assert the opposite of a key point? Word-level cues, no model.

Two cues, each checked between a key point and the answer text that matches it best:
- negation: one of them denies what the other asserts (a "not" whose next content words the
  other text uses), unless both are negated or either denies by meaning ("prevents", "without");
  a negation in a relative clause ("transformations that don't change the label") or a condition
  ("if that is not possible") is not counted;
- opposite words: the point says one side of a known pair (increase/reduce, training/inference,
  sharper/blurrier ...) and the answer says the other side instead (for more/fewer/less, of the
  same word).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain

from evaluator.lexical import STOPWORDS, stem, words

_NEGATIONS = frozenset(
    "not no never none nothing nobody neither nor cannot can't don't doesn't didn't isn't aren't "
    "wasn't weren't won't wouldn't shouldn't couldn't hasn't haven't hadn't".split()
)
# Phrases that contain a negation word but do not negate the claim.
_NOT_NEGATING = re.compile(
    r"\b(?:not only|not just|rather than|instead of|no matter|whether or not|if not|nothing but|"
    r"not necessarily|yes or no)\b",
    re.IGNORECASE,
)

# Each group lists words of one meaning; a pair of groups are opposites.
_OPPOSITES: tuple[tuple[str, str], ...] = (
    ("increase increases increased increasing raise raises raising",
     "decrease decreases decreased decreasing reduce reduces reduced reducing"),
    ("larger bigger", "smaller"),
    ("more", "fewer less"),
    ("higher greater", "lower"),
    ("add adds adding", "remove removes removing"),
    ("faster quicker", "slower"),
    ("training", "inference testing deployment"),
    ("shallow", "deep deeper"),
    ("simple simpler", "complex complicated"),
    ("sharp sharper crisp crisper", "blurry blurrier blurred"),
    ("easy easier", "hard harder difficult"),
    ("labeled labelled", "unlabeled unlabelled"),
    ("supervised", "unsupervised"),
    ("linear", "nonlinear non-linear"),
    ("overfitting overfit", "underfitting underfit"),
    ("same shared", "different separate"),
    ("early earlier first", "late later"),
    ("minimize minimizes minimise minimises", "maximize maximizes maximise maximises"),
    ("classification", "regression"),
)

# Words that deny by meaning ("prevents co-adaptation"): a text using one is not compared on negation.
_IMPLICIT_NEGATIONS = frozenset(
    "prevent prevents preventing stop stops stopping avoid avoids avoiding halt halts eliminate eliminates "
    "mitigate mitigates ease eases easing reduce reduces instead rather lose loses lost without fails lacks "
    "little hardly barely rarely seldom preserve preserves preserving retain retains retaining".split()
)
# Words a negation's scope skips: "not tied to one paradigm" denies the tie, not the count.
_OUT_OF_SCOPE = STOPWORDS | _NEGATIONS | frozenset("one two three single".split())
# A negation this few words after one of these words is in a relative clause, which qualifies a
# noun, or in a condition, which asserts nothing: neither denies the point.
_CLAUSE_OPENERS = frozenset("that which who whom whose where if unless".split())
CLAUSE_WORDS = 5
SCOPE_WORDS = 3  # content words after a negation that it is taken to apply to


def _stems(group: str) -> frozenset[str]:
    return frozenset(stem(w) for w in group.split())


_OPPOSITE_STEMS = tuple((_stems(a), _stems(b)) for a, b in _OPPOSITES)
# Opposites that only grade the word after them: "more stable" and "less jittery" agree.
_MODIFIER_STEMS = _stems("more fewer less")


def _modified(text: str, modifiers: frozenset[str]) -> set[str]:
    """The stems of the content words right after any of `modifiers` (stems) in the text."""
    tokens = words(text)
    out = set()
    for i, token in enumerate(tokens):
        if stem(token) in modifiers:
            following = [t for t in tokens[i + 1 :] if t not in STOPWORDS]
            out.update(stem(t) for t in following[:1])
    return out


@dataclass(frozen=True, slots=True)
class ContradictionCue:
    """Why a text is taken to contradict a key point."""

    kind: str  # "negation" | "opposite" | "misconception"
    detail: str  # for a misconception, the rubric's wording of it


def negation_scopes(text: str) -> list[tuple[str, ...]]:
    """For each real negation in the text, the stems of the content words it applies to."""
    tokens = words(_NOT_NEGATING.sub(" ", text))
    scopes = []
    for i, token in enumerate(tokens):
        if not (token in _NEGATIONS or token.endswith("n't")):
            continue
        if not _CLAUSE_OPENERS.isdisjoint(tokens[max(0, i - CLAUSE_WORDS) : i]):
            continue  # in a relative clause or a condition
        following = [t for t in tokens[i + 1 :] if t not in _OUT_OF_SCOPE]
        scopes.append(tuple(stem(t) for t in following[:SCOPE_WORDS]))
    return scopes


def _negated_claim(negated: str, plain: str) -> str | None:
    """A word of `plain` that `negated` denies, when `plain` itself does not deny it."""
    plain_stems = {stem(w) for w in words(plain)}
    plain_scopes = {s for scope in negation_scopes(plain) for s in scope}
    for scope in negation_scopes(negated):
        if _about_the_other_side(scope, plain_stems):
            continue  # "not applied at test time" agrees with "applied during training"
        asserted = [s for s in scope if s in plain_stems and s not in plain_scopes]
        # the negation must hit the head of its scope, or two of its words, to deny the claim
        if asserted and (asserted[0] == scope[0] or len(asserted) >= 2):
            return asserted[0]
    return None


def _about_the_other_side(scope: tuple[str, ...], plain_stems: set[str]) -> bool:
    """The negation is about the opposite of something the plain text says (and it alone)."""
    return any(
        set(scope) & side_a and plain_stems & side_b and not plain_stems & side_a
        for side_a, side_b in chain(_OPPOSITE_STEMS, ((b, a) for a, b in _OPPOSITE_STEMS))
    )


def find_contradiction(point: str, text: str) -> ContradictionCue | None:
    """A cue that `text` asserts the opposite of `point`, or None."""
    implicit = any(w in _IMPLICIT_NEGATIONS for w in words(point + " " + text))
    both_negated = bool(negation_scopes(point)) and bool(negation_scopes(text))
    for negated, plain in () if implicit or both_negated else ((text, point), (point, text)):
        denied = _negated_claim(negated, plain)
        if denied:
            word = _surface(denied, plain)
            if negated is text:
                return ContradictionCue("negation", f"your sentence denies what the key point says about '{word}'")
            return ContradictionCue("negation", f"the key point denies '{word}', which your sentence asserts")
    point_stems = {stem(w) for w in words(point)}
    text_stems = {stem(w) for w in words(text)}
    # an opposite word under a negation ("not at test time") agrees rather than contradicts
    only_point = point_stems - text_stems - {s for scope in negation_scopes(point) for s in scope}
    only_text = text_stems - point_stems - {s for scope in negation_scopes(text) for s in scope}
    for side_a, side_b in chain(_OPPOSITE_STEMS, ((b, a) for a, b in _OPPOSITE_STEMS)):
        said, opposite = only_point & side_a, only_text & side_b
        if not said or not opposite or text_stems & side_a:
            continue
        if said <= _MODIFIER_STEMS and not _modified(point, said) & _modified(text, opposite):
            continue  # they grade different things
        said_word, opposite_word = _surface(min(said), point), _surface(min(opposite), text)
        return ContradictionCue("opposite", f"the key point says '{said_word}' where your sentence says '{opposite_word}'")
    return None


def _surface(stem_: str, text: str) -> str:
    """The first word of `text` with that stem, as written (the stem itself if none)."""
    return next((w for w in words(text) if stem(w) == stem_), stem_)
