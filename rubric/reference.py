"""A reference answer as claims: each sentence parsed into clauses (rubric.clauses), pronouns named
after the paragraph's or the question's subject, steps given the question's goal, and a sentence
with no clause of its own ("push and pop", "To simulate ...") stated in the question's words."""

from __future__ import annotations

from spacy.tokens import Doc

from rubric.clauses import Antecedents, Claim, sentence_claims
from rubric.parser import parse, parse_statements
from rubric.questions import QuestionContext, in_context, says_something
from rubric.steps import shared_purpose, with_goal
from rubric.text import split_into_sentences

# (sentence number, claim text, the claim without an added goal, other phrasings from the source)
Drawn = tuple[int, str, str | None, tuple[str, ...]]


def reference_claims(reference: str, context: QuestionContext) -> list[Drawn]:
    antecedents = Antecedents(question=context.subject)
    sentences = split_into_sentences(reference)
    out: list[Drawn] = []
    for number, (sentence, doc) in enumerate(zip(sentences, parse_statements(sentences))):
        if not says_something(sentence, context):
            continue
        claims = _claims(doc, sentence, antecedents, context)
        if context.asks_for_actions:
            purpose = shared_purpose([c.text for c in claims if c.subjectless])
            for claim in claims:
                text = with_goal(claim.text, purpose or context.goal) if claim.subjectless else claim.text
                out.append((number, text, claim.text if text != claim.text else None, ()))
        elif claims and not (all(c.subjectless for c in claims) and _is_fragment(sentence)):
            # the sentence a claim was cut from is its own wording too: an answer that says it all matches
            out.extend((number, c.text, None, (sentence,) if len(claims) > 1 else ()) for c in claims)
        else:  # a fragment: it means something only as the answer to its question
            out.append((number, in_context(sentence, context.text), None, (sentence,)))
    return out


def _claims(doc: Doc, sentence: str, antecedents: Antecedents, context: QuestionContext) -> list[Claim]:
    if _reads_as_step(doc, context.asks_for_actions):
        steps = _as_steps(sentence)
        if steps:
            return steps
    return [c for sent in doc.sents for c in sentence_claims(sent, antecedents)]


def _as_steps(sentence: str) -> list[Claim]:
    # The small parser often misreads a sentence-initial imperative ("Freeze layers ...") as a
    # noun phrase; with "You" before it the verbs are found, and "You" is dropped again.
    first = sentence.split(maxsplit=1)
    retry = parse(f"You {first[0].lower()} {first[1] if len(first) > 1 else ''}".strip())
    if len(retry) < 3 or retry[1].dep_ != "ROOT" or retry[0].dep_ != "nsubj":
        return []  # not read as a verb even so
    steps = [c for sent in retry.sents for c in sentence_claims(sent, Antecedents())]
    return [
        Claim(c.text[4:5].upper() + c.text[5:], c.sentence, True) if c.text.startswith("You ") else c
        for c in steps
    ]


def _reads_as_step(doc: Doc, steps_asked: bool) -> bool:
    """Could the sentence open with an imperative that the parse did not take as its root? A word the
    parse calls a noun counts only where the question asks for steps ('Use pruning, ...')."""
    first, root = doc[0], next(doc.sents).root
    root_has_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in root.children)
    return (
        first.is_title and first.lower_ == first.lemma_.lower() and first.dep_ != "ROOT"
        and (first.tag_ in ("VB", "VBP") or steps_asked and first.tag_ in ("NN", "NNP") and not root_has_subject)
    )


def _is_fragment(sentence: str) -> bool:
    """'push and pop', 'To simulate the behaviour of X': no statement of its own, only an answer."""
    words = sentence.split()
    return len(words) <= 4 or words[0].lower() in ("to", "by", "because", "since", "so", "for", "as")
