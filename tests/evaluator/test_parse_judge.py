"""The parse judge on fixed pairs written for these tests (real spaCy pipeline, no model of ours)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from evaluator.judge import Conflict, ContradictionJudge
from evaluator.judge.clauses import OPPOSITES
from evaluator.judge.parse import ParseJudge

GAN = "The generator tries to fool the discriminator."
GRU = "A GRU has fewer parameters than an LSTM."
BACKPROP = "Backpropagation propagates the error backward from the loss to the input layer."
DROPOUT = "Dropout is applied only during training."


@pytest.fixture(scope="module")
def judge() -> ParseJudge:
    return ParseJudge()


def verdict(judge: ParseJudge, point: str, sentence: str) -> Conflict | None:
    (result,) = judge.judge([(point, sentence)])
    return result


def test_is_a_contradiction_judge(judge: ParseJudge) -> None:
    as_protocol: ContradictionJudge = (
        judge  # checked by the type checker; the protocol is not runtime-checkable
    )
    assert as_protocol.judge([]) == []


def test_role_swap_names_both_entities(judge: ParseJudge) -> None:
    conflict = verdict(judge, GAN, "The discriminator tries to fool the generator.")
    assert conflict is not None and conflict.kind == "role_swap"
    assert "generator and the discriminator the other way round" in conflict.explanation


def test_role_swap_through_what_an_entity_is_named_for(judge: ParseJudge) -> None:
    point = "A GAN trains a generator to fool a discriminator that tells real samples from fake ones."
    conflict = verdict(
        judge, point, "In a GAN the discriminator generates the samples and the generator judges them."
    )
    assert conflict is not None and conflict.kind == "role_swap"
    assert verdict(judge, point, "The generator generates samples and the discriminator judges them.") is None


def test_role_exchanged_with_another_entity_the_point_names(judge: ParseJudge) -> None:
    point = "Distillation trains a small student model to imitate a large teacher model."
    conflict = verdict(judge, point, "In distillation the teacher model imitates the student model.")
    assert conflict is not None and conflict.kind == "role_swap"
    assert verdict(judge, point, "The student model learns to imitate the teacher model.") is None


def test_an_opposite_role_is_a_contradiction(judge: ParseJudge) -> None:
    point = "The decoder reconstructs the input from the latent code."
    conflict = verdict(judge, point, "The encoder reconstructs the input from the latent code.")
    assert conflict is not None and conflict.kind == "opposite"
    assert "encoder" in conflict.explanation and "decoder" in conflict.explanation


def test_a_word_the_point_rules_out(judge: ParseJudge) -> None:
    point = "Hyperparameters are chosen on a validation set, never on the test set."
    conflict = verdict(judge, point, "Hyperparameters are chosen on the test set.")
    assert conflict is not None and conflict.kind == "negation"
    assert verdict(judge, point, "You never tune them on the test set, you use a validation split.") is None


def test_comparison_sides_exchanged_or_degree_turned(judge: ParseJudge) -> None:
    swapped = verdict(judge, GRU, "An LSTM has fewer parameters than a GRU.")
    assert swapped is not None and swapped.kind == "comparison"
    assert "GRU and the LSTM the other way round" in swapped.explanation
    turned = verdict(judge, GRU, "A GRU has more parameters than an LSTM.")
    assert turned is not None and turned.kind == "comparison"


def test_the_same_comparison_in_other_words_agrees(judge: ParseJudge) -> None:
    assert verdict(judge, GRU, "A GRU has fewer parameters than an LSTM because it has two gates.") is None
    assert verdict(judge, GRU, "An LSTM has more parameters than a GRU.") is None


def test_direction_reversed(judge: ParseJudge) -> None:
    conflict = verdict(judge, BACKPROP, "Backpropagation goes from the input layer forward to the loss.")
    assert conflict is not None and conflict.kind == "direction"
    assert "from the input layer to the loss" in conflict.explanation
    assert verdict(judge, BACKPROP, "The error travels from the loss back to the input layer.") is None


def test_dropout_denied_or_moved_to_inference(judge: ParseJudge) -> None:
    denied = verdict(judge, DROPOUT, "Dropout is not applied during training.")
    assert denied is not None and denied.kind == "negation"
    assert (
        denied.explanation
        == "the key point says dropout is applied only during training; your sentence says it is not"
    )
    moved = verdict(judge, DROPOUT, "Dropout is also applied at inference time.")
    assert moved is not None and moved.kind == "opposite"
    switched = verdict(
        judge, "Dropout is switched off at inference time.", "Dropout is not switched off at inference."
    )
    assert switched is not None and switched.kind == "negation"


def test_a_harmless_negation_is_not_a_contradiction(judge: ParseJudge) -> None:
    assert verdict(judge, DROPOUT, "Dropout is not applied at test time, only in training.") is None
    assert (
        verdict(judge, DROPOUT, "Dropout is not applied only during training but also at test time.") is None
    )
    point = "The cell state lets gradients vanish far less."
    assert verdict(judge, point, "The error signal survives many steps without vanishing.") is None
    assert (
        verdict(
            judge, "Dropout is switched off at inference time.", "At inference dropout is not switched on."
        )
        is None
    )


def test_a_negation_that_qualifies_or_conditions_asserts_nothing(judge: ParseJudge) -> None:
    point = "Data augmentation applies transformations to the training images."
    assert verdict(judge, point, "Augmentation applies transformations that do not change the label.") is None
    assert verdict(judge, DROPOUT, "If dropout is not applied during training, the network overfits.") is None


def test_a_sentence_about_something_else_gets_none(judge: ParseJudge) -> None:
    assert verdict(judge, DROPOUT, "Batch normalization does not normalize over the whole dataset.") is None
    assert verdict(judge, GRU, "Transformers do not use recurrence at all.") is None


def test_verdicts_are_deterministic_and_in_order(judge: ParseJudge) -> None:
    pairs = [
        (GAN, "The discriminator tries to fool the generator."),
        (DROPOUT, "Dropout is not applied at test time, only in training."),
        (GRU, "An LSTM has fewer parameters than a GRU."),
        (DROPOUT, "Dropout is not applied during training."),
    ] * 3
    first = judge.judge(pairs)
    assert [v is not None for v in first] == [True, False, True, True] * 3
    assert ParseJudge().judge(pairs) == first
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda _: judge.judge(pairs), range(4))) == [first] * 4


def test_a_pair_that_is_not_two_strings_is_refused_precisely(judge: ParseJudge) -> None:
    with pytest.raises(TypeError, match="pair 1 is not a \\(key point, sentence\\) pair of strings"):
        judge.judge([(DROPOUT, "Dropout is used in training."), (DROPOUT, None)])  # type: ignore[list-item]


def test_the_lexicon_pairs_distinct_words() -> None:
    for one, other in OPPOSITES:
        assert not set(one.split()) & set(other.split()), (one, other)


def test_read_ahead_parses_once_and_judging_then_parses_nothing(monkeypatch) -> None:
    import evaluator.judge.parse as parse_module

    calls: list[list[str]] = []
    real = parse_module.parse_statements
    monkeypatch.setattr(
        parse_module, "parse_statements", lambda texts: calls.append(list(texts)) or real(texts)
    )
    judge = ParseJudge(polarity=False)
    judge.read_ahead(key_points=[GAN, GRU])
    judge.read_ahead(
        sentences=[
            "The discriminator tries to fool the generator.",
            "An LSTM has fewer parameters than a GRU.",
        ]
    )
    assert [len(c) for c in calls] == [2, 2]  # one parse per call, every text once
    found = judge.judge(
        [
            (GAN, "The discriminator tries to fool the generator."),
            (GRU, "An LSTM has fewer parameters than a GRU."),
        ]
    )
    assert [c.kind for c in found if c is not None] == ["role_swap", "comparison"]
    assert len(calls) == 2  # all read ahead


def test_batched_parses_equal_parses_one_by_one() -> None:
    from rubric.parser import parse_statements

    texts = [  # the second is a known slip of the small parser ('adjusts' read as a noun), undone on a retry
        GAN, "Gradient descent adjusts model weights to lower the loss.", BACKPROP, DROPOUT,
        "Proper handling ensures models train on clean data.",
    ]  # fmt: skip

    def shape(doc) -> list[tuple[str, str, str, int, bool]]:  # noqa: ANN001
        return [(t.text, t.tag_, t.dep_, t.head.i, t._.inserted) for t in doc]

    together = [shape(doc) for doc in parse_statements(texts)]
    alone = [shape(parse_statements([text])[0]) for text in texts]
    assert together == alone
    assert any(inserted for *_, inserted in together[1])  # the retry was taken


def test_the_evaluator_reads_a_batchs_sentences_in_one_parse(real_evaluator, monkeypatch) -> None:
    import evaluator.judge.parse as parse_module

    real_evaluator.warm_up()  # the bank's key points are read here, not by the answers
    calls: list[list[str]] = []
    real = parse_module.parse_statements
    monkeypatch.setattr(
        parse_module, "parse_statements", lambda texts: calls.append(list(texts)) or real(texts)
    )
    answers = [
        ("advanced-13", "The discriminator generates fake images and the generator tells them from real ones (read-ahead test)."),
        ("fresher-03", "Backpropagation sends the error from the input layer to the loss (read-ahead test). It uses the chain rule."),
    ]  # fmt: skip
    results = real_evaluator.evaluate_many([{"question_id": q, "answer": a} for q, a in answers])
    assert len(calls) == 1  # the sentences of both answers, in one parse
    assert all(any(t in answer for t in calls[0]) for _, answer in answers)
    alone = [real_evaluator.evaluate(a, question_id=q) for q, a in answers]
    assert [r.model_dump_json() for r in results] == [r.model_dump_json() for r in alone]
