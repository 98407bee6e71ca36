"""The evaluator on the real bundled model: orderings and bands, not exact values."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from evaluator import Evaluator
from rubric import load_bank

BANK = load_bank()


@pytest.mark.parametrize("question_id", list(BANK))
def test_reference_answer_covers_its_own_key_points(real_evaluator, question_id):
    question = BANK[question_id]
    result = real_evaluator.evaluate(question.reference_answer, question_id=question_id)
    not_covered = [(p.id, p.similarity) for p in result.points if p.verdict != "covered"]
    assert not not_covered, f"reference answer does not cover {not_covered}"


def test_no_other_reference_answer_outscores_a_questions_own(real_evaluator):
    # Ties are allowed: some article questions overlap (fresher-08 and intermediate-11 both ask
    # how to fight overfitting), and two answers that each cover every point both earn 1.0.
    questions = list(BANK.values())
    from evaluator import EvaluationRequest

    for question in questions:
        requests = [EvaluationRequest(other.reference_answer, rubric=question) for other in questions]
        scores = [r.score for r in real_evaluator.evaluate_many(requests)]
        own = scores[questions.index(question)]
        beaten_by = [q.id for q, s in zip(questions, scores) if q is not question and s > own]
        assert not beaten_by, f"{question.id}: own reference {own:.3f} not above {beaten_by}"


def test_a_point_in_the_middle_of_a_long_unrelated_answer_is_found(real_evaluator):
    filler = (
        "I worked on a recommendation system last year. Our team used Kubernetes to deploy services. "
        "We wrote a lot of documentation and held weekly planning meetings. "
    )
    claim = "Dropout randomly switches off a fraction of the neurons during each training step."
    answer = filler * 3 + claim + " " + filler * 3
    result = real_evaluator.evaluate(answer, question_id="fresher-10")
    best = max(result.points, key=lambda p: p.similarity)
    assert best.verdict == "covered"
    assert best.evidence.text == claim
    assert answer[best.evidence.start : best.evidence.end] == claim


def test_a_paraphrase_outscores_an_unrelated_answer(real_evaluator):
    paraphrase = (
        "Backprop pushes the error from the output back through the layers with the chain rule, "
        "giving each weight its gradient, and then the weights are nudged against that gradient."
    )
    unrelated = "Kubernetes schedules containers across a cluster of machines and restarts them."
    good = real_evaluator.evaluate(paraphrase, question_id="fresher-03")
    bad = real_evaluator.evaluate(unrelated, question_id="fresher-03")
    assert good.score > bad.score + 0.3
    assert len(bad.missed) >= len(bad.points) - 1


def test_same_input_gives_byte_identical_json_in_two_processes():
    answer = "Gradient descent moves the weights a small step against the gradient of the loss, again and again."
    code = (
        "import sys; from evaluator import Evaluator; "
        "print(Evaluator().evaluate(sys.argv[1], question_id='fresher-04').model_dump_json())"
    )
    outputs = [
        subprocess.run([sys.executable, "-c", code, answer], capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    ]
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["question_id"] == "fresher-04"


# (question, a misconception in a candidate's words, the point it denies, the same point said right)
MISCONCEPTIONS = [
    ("fresher-13", "In a CNN every position in the image has its own separate set of filter weights, nothing is shared.",
     "weight-sharing", "A filter's weights are shared across every position of the image, which cuts the parameter count."),
    ("intermediate-13", "Accuracy is perfectly reliable on imbalanced datasets, since every sample counts the same.",
     "imbalance-accuracy", "On imbalanced data accuracy misleads, since always predicting the majority class scores high."),
    ("advanced-13", "A VAE maps every input to a single fixed point in the latent space, with no randomness, like a plain autoencoder.",
     "vae-latent", "A VAE encodes each input as a distribution, a mean and a variance, and samples the latent code from it."),
    ("advanced-08", "In multi-head attention all heads share one set of query, key and value weights.",
     "own-projections", "Each head has its own learned query, key and value projection weights."),
]


@pytest.mark.parametrize(("question_id", "wrong", "point_id", "right"), MISCONCEPTIONS)
def test_a_stated_misconception_contradicts_its_point(real_evaluator, question_id, wrong, point_id, right):
    result = real_evaluator.evaluate(wrong, question_id=question_id)
    point = next(p for p in result.points if p.id == point_id)
    assert result.contradicted == (point_id,)
    assert (point.verdict, point.score, point.evidence.text) == ("contradicted", 0.0, wrong)
    assert point.misconception in next(p for p in BANK[question_id].key_points if p.id == point_id).misconceptions
    said_right = real_evaluator.evaluate(right, question_id=question_id)
    assert said_right.contradicted == ()
    assert next(p for p in said_right.points if p.id == point_id).verdict == "covered"


def test_a_misconception_too_close_to_right_text_for_the_embedding_is_found_by_its_edit(real_evaluator):
    """'all heads share one set' for 'each head has its own': cosine alone cannot tell them apart, the words can."""
    question_id, wrong, point_id, _ = MISCONCEPTIONS[-1]
    without_edits = Evaluator(
        embedder=real_evaluator.embedder,
        calibration=dataclasses.replace(real_evaluator.calibration, edit_similarity=None),
    )
    assert without_edits.evaluate(wrong, question_id=question_id).contradicted == ()
    assert real_evaluator.evaluate(wrong, question_id=question_id).contradicted == (point_id,)


# (question, a correct answer, the point it states plainly in one sentence while another sentence
# shares words with one of that point's misconceptions)
STATED_PLAINLY = [
    ("fresher-06", "epoch",
     "An epoch is one full pass over every example in the training set. You usually pick how many epochs "
     "to run by watching the validation loss and stopping once it stops improving."),
]


@pytest.mark.parametrize(("question_id", "point_id", "answer"), STATED_PLAINLY)
def test_a_point_stated_plainly_is_not_contradicted_by_another_sentence(
    real_evaluator, question_id, point_id, answer
):
    result = real_evaluator.evaluate(answer, question_id=question_id)
    point = next(p for p in result.points if p.id == point_id)
    assert point.verdict == "covered", (point.verdict, point.misconception)
