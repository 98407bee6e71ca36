"""The shipped cross-encoder judge (evaluator/models/judge), loaded offline: orderings on fixed pairs
written for this test, determinism, the protocol, and precise errors."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from evaluator.errors import ModelUnavailableError
from evaluator.judge import Conflict, ContradictionJudge
from evaluator.judge.cross_encoder import MODEL_DIR, CrossEncoderJudge

pytestmark = pytest.mark.model

# (key point, a paraphrase that agrees, a twin that contradicts it by a negation, a comparison or a direction)
CASES = [
    ("Backpropagation computes gradients from the loss backward to the input layer.",
     "Gradients are worked out starting at the loss and going back through the layers towards the input.",
     "Backpropagation computes gradients from the input layer forward to the loss."),
    ("An LSTM has more parameters than a GRU.",
     "A GRU is lighter: it has fewer parameters than an LSTM.",
     "An LSTM has fewer parameters than a GRU."),
    ("Batch normalization uses running averages of the statistics at inference.",
     "At inference time batch norm relies on the moving averages collected during training.",
     "Batch normalization does not use running averages of the statistics at inference."),
]
# The same with roles swapped or a claim reversed in other words: the shipped model does not yet
# order these right (docs/judge-model-card.md, "Limits"); kept so that a better model shows it.
NOT_YET = [
    ("The generator produces fake images and the discriminator judges whether they are real.",
     "One network makes synthetic pictures while the other network decides if they are real or fake.",
     "The discriminator produces fake images and the generator judges whether they are real."),
    ("Dropout is only applied during training and is switched off at inference.",
     "At test time dropout is disabled; it only acts while the model is being trained.",
     "Dropout is only applied at inference and is switched off during training."),
    ("An autoencoder is trained without labels, by reconstructing its own input.",
     "You don't need labelled data for an autoencoder since it learns to rebuild the input it is given.",
     "An autoencoder needs labelled data for every example it is trained on."),
]
ALL = CASES + NOT_YET
_NOT_YET = pytest.mark.xfail(reason="role swaps, reworded reversals: not learned yet (model card)", strict=False)


@pytest.fixture(scope="module")
def judge() -> CrossEncoderJudge:
    return CrossEncoderJudge()


def test_the_shipped_model_is_small_and_configured() -> None:
    config = json.loads((MODEL_DIR / "config.json").read_text(encoding="utf-8"))
    assert (MODEL_DIR / "model.onnx").stat().st_size <= 60 * 1024 * 1024
    assert "contradiction" in config["labels"] and 0 < config["threshold"] < 1
    assert not list(MODEL_DIR.glob("tokenizer*")), "the tokenizer comes from the base model's package"


@pytest.mark.parametrize(
    ("point", "paraphrase", "twin"),
    [*CASES, *(pytest.param(*case, marks=_NOT_YET) for case in NOT_YET)],
    ids=[c[0][:30] for c in ALL],
)
def test_a_contradicting_twin_scores_above_a_paraphrase(judge: CrossEncoderJudge, point: str, paraphrase: str,
                                                       twin: str) -> None:
    agree, contradict = judge.probabilities([(point, paraphrase), (point, twin)])
    assert contradict > agree


def test_a_point_never_contradicts_itself(judge: CrossEncoderJudge) -> None:
    points = [point for point, _, _ in ALL]
    assert judge.judge([(p, p) for p in points]) == [None] * len(points)


def test_judge_follows_the_protocol_with_short_model_conflicts(judge: CrossEncoderJudge) -> None:
    protocol: ContradictionJudge = judge  # checked by the type checker
    pairs = [(p, twin) for p, _, twin in ALL]
    for verdict, probability in zip(protocol.judge(pairs), judge.probabilities(pairs)):
        assert (verdict is not None) == (probability >= judge.threshold)
        if verdict is not None:
            assert isinstance(verdict, Conflict) and verdict.kind == "model"
            assert len(verdict.explanation) < 100


def test_probabilities_are_deterministic_and_independent_of_the_batch(judge: CrossEncoderJudge) -> None:
    pairs = [(p, s) for p, agree, twin in ALL for s in (agree, twin)]
    first, second = judge.probabilities(pairs), judge.probabilities(pairs)
    assert np.array_equal(first, second)
    alone = np.array([judge.probabilities([pair])[0] for pair in pairs])
    np.testing.assert_allclose(alone, first, atol=1e-4)
    reversed_order = judge.probabilities(pairs[::-1])[::-1]
    np.testing.assert_allclose(reversed_order, first, atol=1e-4)
    assert ((first >= 0) & (first <= 1)).all()


def test_no_pairs_give_no_verdicts(judge: CrossEncoderJudge) -> None:
    assert judge.judge([]) == [] and judge.probabilities([]).shape == (0,)


def test_a_pair_that_is_not_text_is_refused(judge: CrossEncoderJudge) -> None:
    with pytest.raises(TypeError, match="two strings"):
        judge.probabilities([("A key point.", 3)])  # type: ignore[list-item]


def test_a_missing_model_folder_names_the_file(tmp_path) -> None:
    with pytest.raises(ModelUnavailableError, match="config.json"):
        CrossEncoderJudge(tmp_path)


def test_loading_never_imports_torch_or_transformers() -> None:
    import subprocess

    code = ("import sys; from evaluator.judge.cross_encoder import CrossEncoderJudge; "
            "CrossEncoderJudge().probabilities([('a b', 'c d')]); "
            "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
