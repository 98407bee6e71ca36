"""A contradiction judge on spaCy's dependency parse: deterministic, fast, and it says why.

Both texts are read into clauses (evaluator/judge/clauses.py: a predicate with its subject, object,
other words, comparisons and from/to phrase). A sentence contradicts a key point when:
- role swap: on the same predicate, the point's object is the sentence's subject and the point's
  subject (or another entity it names) the sentence's object ("the discriminator fools the
  generator"); or one entity does what the other is named for ("the discriminator generates");
- comparison: the sides of a comparison change places, or its degree turns ("an LSTM has fewer
  parameters than a GRU" against "a GRU has fewer parameters than an LSTM");
- direction: "from A to B" against "from B to A" (or "starts at B ... to A");
- polarity: two clauses align (the same predicate, no entity against the point's, and at most
  MAX_UNCOVERED_WORDS words of the sentence's clause that the point neither uses nor opposes) and
  an odd number of flips separates them: a "not"/"never"/"no" on the predicate, a word the point
  rules out ("never the test set"), or an opposite from clauses.OPPOSITES; so "dropout is not used
  at test time" agrees with "dropout is used in training" (two flips).
A sentence's clause that qualifies a noun, states a condition or asks an embedded question asserts
nothing, so its negation does not count; a degree ("vanish less") or a denied exclusivity ("not
only") is not compared. A sentence about something else aligns with nothing and gets None: what the
parse does not settle is left alone, as a false contradiction costs a candidate credit for a right
answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from evaluator.judge import Conflict
from evaluator.judge.clauses import LIGHT_VERBS, SAME_SIDE, Clause, Reading, opposite, read
from rubric.parser import get_parser, parse_statements

MAX_CACHED_SENTENCES = 4096
MAX_CACHED_POINTS = 16_384  # key points repeat across answers: kept apart, so a stream of sentences
# does not push them out (a point parse is half of what a fresh answer costs)
MAX_UNCOVERED_WORDS = 1  # words of a sentence's clause that the point may lack, for the clauses to align


class ParseJudge:
    """Judges (key point, sentence) pairs by comparing their clauses (see the module docstring).

    The spaCy pipeline loads on first use, once; readings of key points and of sentences are kept in
    LRUs of their own, and `read_ahead` reads a rubric's points before its first answer. Thread-safe.
    """

    def __init__(self, *, polarity: bool = True) -> None:
        self.polarity = polarity
        self._lock = threading.Lock()
        self._points: OrderedDict[str, Reading] = OrderedDict()
        self._sentences: OrderedDict[str, Reading] = OrderedDict()

    def warm_up(self) -> None:
        """Load the parser now rather than on the first pair."""
        get_parser()

    def read_ahead(self, key_points: Sequence[str] = (), sentences: Sequence[str] = ()) -> None:
        """Read these key points (the bank's, at warm-up) and sentences (a batch's) now, in one parse;
        of a batch too large for the LRU, the sentences of its first answers."""
        ahead = list(dict.fromkeys(sentences))[: MAX_CACHED_SENTENCES // 2]
        self._read_cached(list(dict.fromkeys(key_points)), ahead)

    def judge(self, pairs: Sequence[tuple[str, str]]) -> list[Conflict | None]:
        for n, pair in enumerate(pairs):
            if not (
                isinstance(pair, tuple | list) and len(pair) == 2 and all(isinstance(t, str) for t in pair)
            ):
                raise TypeError(f"pair {n} is not a (key point, sentence) pair of strings: {pair!r:.80}")
        if not pairs:
            return []
        points, sentences = self._read_cached(
            list(dict.fromkeys(p for p, _ in pairs)), list(dict.fromkeys(s for _, s in pairs))
        )
        return [compare(points[p], sentences[s], self.polarity) for p, s in pairs]

    def _read_cached(
        self, points: list[str], sentences: list[str]
    ) -> tuple[dict[str, Reading], dict[str, Reading]]:
        """Readings of key points and of sentences, from their LRUs; what is missing is parsed in one call."""
        caches = (
            (self._points, points, MAX_CACHED_POINTS),
            (self._sentences, sentences, MAX_CACHED_SENTENCES),
        )
        with self._lock:
            known = [{t: cache[t] for t in texts if t in cache} for cache, texts, _ in caches]
            for (cache, _, _), found in zip(caches, known):
                for t in found:
                    cache.move_to_end(t)
        missing = [[t for t in texts if t not in found] for (_, texts, _), found in zip(caches, known)]
        new = self._read(list(dict.fromkeys(missing[0] + missing[1]))) if missing[0] or missing[1] else {}
        with self._lock:
            for (cache, _, size), found, absent in zip(caches, known, missing):
                for t in absent:
                    cache[t] = found[t] = new[t]
                while len(cache) > size:
                    cache.popitem(last=False)
        return known[0], known[1]

    def _read(self, texts: list[str]) -> dict[str, Reading]:
        with self._lock:  # one parse at a time: spaCy's pipeline is not documented as thread-safe
            docs = parse_statements(texts)
        return {text: read(doc) for text, doc in zip(texts, docs)}


def _same(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a & b)


def _distinct(a: frozenset[str], b: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """What tells two entities apart ("input layer" and "output layer": input, output)."""
    return a - b, b - a


def _name(words: Iterable[str], reading: Reading) -> str:
    """Words (stems, or a predicate with its particle) as the text writes them ("GRU"), in text order."""
    parts = [part for w in words for part in w.split()]
    return " ".join(text for _, text in sorted(reading.surface.get(w, (0, w)) for w in parts))


def compare(point: Reading, sentence: Reading, polarity: bool = True) -> Conflict | None:
    """The first conflict between the sentence's claims and the point's, or None; with `polarity`
    False, only the structural ones (roles, comparisons, directions)."""
    conflict = _direction(point, sentence) or _agent_noun_swap(point, sentence)
    if conflict is not None:
        return conflict
    for s in sentence.clauses:
        if not s.asserted:
            continue
        for p in point.clauses:
            conflict = (
                _role_swap(p, s, point)
                or _compared(p, s, point)
                or (_polarity(p, s, point, sentence) if polarity else None)
            )
            if conflict is not None:
                return conflict
    return None


def _ends(reading: Reading, asserted_only: bool) -> tuple[frozenset[str], frozenset[str], Clause | None]:
    """The first "from" and "to" ends of a movement in the text, and the clause with both if one has."""
    clauses = [c for c in reading.clauses if c.asserted or not asserted_only]
    both = next((c for c in clauses if c.source and c.goal), None)
    if both is not None:
        return both.source, both.goal, both
    source = next((c.source for c in clauses if c.source), frozenset())
    goal = next((c.goal for c in clauses if c.goal), frozenset())
    return source, goal, None


def _direction(point: Reading, sentence: Reading) -> Conflict | None:
    """ "From A to B" in the point, "from B to A" (or "starts at B ... to A") in the sentence."""
    p_source, p_goal, p = _ends(point, asserted_only=False)
    s_source, s_goal, _ = _ends(sentence, asserted_only=True)
    if p is None or not (s_source and s_goal):
        return None
    a, b = _distinct(p_source, p_goal)
    if (
        a
        and b
        and _same(s_source, b)
        and _same(s_goal, a)
        and not _same(s_source, a)
        and not _same(s_goal, b)
    ):
        return Conflict(
            "direction",
            f"the key point goes from the {_name(p_source, point)} to the "
            f"{_name(p_goal, point)}; your sentence goes the other way round, from the "
            f"{_name(s_source, sentence)} to the {_name(s_goal, sentence)}",
        )
    return None


def _agent_noun_swap(point: Reading, sentence: Reading) -> Conflict | None:
    """The sentence has one entity of the point do what another's name says it does: "the discriminator
    generates the samples", where the point names a generator and a discriminator."""
    named = {w for c in point.clauses for w in c.agent | c.patient}
    agent_nouns = {
        w
        for w in named
        if _written(w, point).lower().endswith(("or", "er")) and len(w) < len(_written(w, point)) - 1
    }
    for s in sentence.clauses:
        if not s.asserted or s.negated or s.head_stem not in agent_nouns or s.head_stem in s.agent:
            continue
        doer = s.head_stem
        # the one doing it must be named for a role of its own too: a VAE that encodes has an encoder
        others = (s.agent & agent_nouns) - {doer}
        if others:
            other = min(others)
            return Conflict(
                "role_swap",
                f"you have the {_name({doer}, point)} and the {_name({other}, point)} the other way round: "
                f"it is the {_name({doer}, point)} that {_surface_verb(s, sentence)}",
            )
    return None


def _written(word: str, reading: Reading) -> str:
    """The word as the text writes it."""
    return reading.surface.get(word, (0, word))[1]


def _surface_verb(clause: Clause, reading: Reading) -> str:
    return _written(clause.head_stem, reading)


def _role_swap(p: Clause, s: Clause, point: Reading) -> Conflict | None:
    """On the same predicate, the point's object is the sentence's subject and the point's subject (or
    another entity the point names) its object: "the teacher imitates the student"."""
    if p.key != s.key or p.key in LIGHT_VERBS or not (p.patient and s.agent and s.patient):
        return None
    named = [p.agent] if p.agent else []
    named += [e for c in point.clauses for e in (c.agent, c.patient) if e and e not in (p.agent, p.patient)]
    for entity in named:
        a, b = _distinct(entity, p.patient)
        if not (a and b) or _same(s.agent, a) or _same(s.patient, b) or _same(s.agent, p.agent - p.patient):
            continue
        if _same(s.agent, b) and _same(s.patient, a):
            return Conflict(
                "role_swap",
                f"you have the {_name(a, point)} and the {_name(b, point)} the other way round: "
                f"the key point says {p.text}",
            )
    return None


def _compared(p: Clause, s: Clause, point: Reading) -> Conflict | None:
    """The sides of a comparison exchanged, or its degree turned, on the same scale and the same entities."""
    for pc in p.comparisons:
        for sc in s.comparisons:
            if pc.scale != sc.scale or p.negated != s.negated:
                continue
            if _same(sc.subject, pc.subject) and (not sc.other or not pc.other or _same(sc.other, pc.other)):
                order = 1
            elif pc.other and sc.other and _same(sc.subject, pc.other) and _same(sc.other, pc.subject):
                # both sides named and exchanged: a sentence that names one side only swaps nothing
                order = -1
            else:
                continue
            if sc.sign * order == pc.sign:
                continue
            if order == -1:
                a, b = _name(pc.subject, point), _name(pc.other, point)
                return Conflict(
                    "comparison",
                    f"you have the {a} and the {b} the other way round: the key point says {p.text}",
                )
            return Conflict(
                "comparison", f"the key point says {p.text}; your sentence says the opposite: {s.text}"
            )
    return None


def _opposite_entity(mine: frozenset[str], theirs: frozenset[str]) -> tuple[str, str] | None:
    """Entities that differ by one pair of opposites ("encoder"/"decoder", "input layer"/"output layer")."""
    a, b = mine - theirs, theirs - mine
    found = [(word, opposite(word, b)) for word in sorted(a)]
    found = [(word, other) for word, other in found if other is not None]
    return found[0] if len(found) == 1 else None


def _key_flip(point_key: str, sentence_key: str, point: Reading) -> tuple[str, str] | None:
    """Predicates that are opposites ("increase"/"reduce", "switch on"/"switch off"), where the point
    says nothing on the sentence's side: (sentence's, point's)."""
    mine, theirs = sentence_key.split(), point_key.split()
    if len(mine) != len(theirs):
        return None
    differ = [(m, t) for m, t in zip(mine, theirs) if m != t]
    if len(differ) != 1:
        return None
    word, theirs_word = differ[0]
    if (
        opposite(word, frozenset({theirs_word}))
        and not SAME_SIDE.get(word, frozenset({word})) & point.asserted
    ):
        return sentence_key, point_key
    return None


def _polarity(p: Clause, s: Clause, point: Reading, sentence: Reading) -> Conflict | None:
    """Aligned clauses separated by an odd number of flips (a negation, opposite words)."""
    if not p.claimed or p.hedged or s.hedged:
        return None
    if s.agent and not p.agent and not _same(s.agent, point.asserted):
        return None  # the sentence is about something the point does not name
    flips: list[tuple[str, str]] = []  # (the sentence's word, the point's word)
    words = s.terms | s.patient
    complement = frozenset()
    if p.copula and s.copula and p.key != s.key and _same(s.agent, p.agent):
        complement = frozenset({s.key})  # "X is Y" against "X is Z": Y must be the point's, or its opposite
        words = words | complement
    elif p.key != s.key:
        flip = _key_flip(p.key, s.key, point)
        if flip is None or p.key in LIGHT_VERBS:
            return None
        flips.append(flip)
    for mine, theirs in ((s.agent, p.agent), (s.patient, p.patient)):
        if mine and theirs and not _same(mine, theirs):
            role = _opposite_entity(mine, theirs)
            if role is None:
                return None
            flips.append(role)  # "the encoder reconstructs the input": the decoder's role
    # "you don't have to set the learning rate": the same verb with no entity against it
    same_verb = p.key == s.key and p.key not in LIGHT_VERBS and not p.copula
    if not (_same(s.agent, p.agent) or _same(s.patient, p.patient) or _same(s.terms, p.terms) or same_verb):
        return None
    if s.key in LIGHT_VERBS and not (s.patient and _same(s.patient, p.patient)):
        return None  # "X has Y": the object is the claim
    aligned = p.terms | p.patient | p.agent | {p.key}
    uncovered = 0
    for word in sorted(words - {mine for mine, _ in flips}):
        if word in aligned and word not in point.denied:
            continue
        if word in point.denied and word not in point.asserted:
            flips.append((word, f"not {word}"))  # "on the test set" where the point says "never the test set"
            continue
        # an opposite of a word of the aligned clause ("inference" for "applied only during training"),
        # even where another clause of the point names it ("... and switched off at inference")
        other = opposite(word, aligned - point.denied)
        if other is not None and not SAME_SIDE.get(word, frozenset({word})) & aligned:
            flips.append((word, other))
            continue
        if word in point.asserted and word not in point.denied:
            continue
        if word in s.patient or word in s.agent or word in complement:
            return (
                None  # an entity or a property the point does not name: the sentence is about something else
            )
        uncovered += 1
    if uncovered > MAX_UNCOVERED_WORDS:
        return None  # too much the point does not say: the sentence says something else
    if s.negated and s.exclusive:
        return None  # "not only X", "instead of learning only from X": the exclusivity is denied, not X
    negation = p.negated != s.negated
    if (len(flips) + negation) % 2 == 0:
        return None
    if negation:
        verb = "is" if p.passive_or_copula else "does"
        if p.negated:
            return Conflict("negation", f"the key point says {p.text}; your sentence says it {verb}")
        return Conflict("negation", f"the key point says {p.text}; your sentence says it {verb} not")
    mine, theirs = flips[0]
    if theirs == f"not {mine}":
        return Conflict(
            "negation",
            f"the key point says {p.text}; your sentence says {_name({mine}, point)}, which the key point rules out",
        )
    return Conflict(
        "opposite",
        f"the key point says {p.text}; your sentence has {_name({mine}, sentence)} "
        f"where the key point has {_name({theirs}, point)}",
    )
