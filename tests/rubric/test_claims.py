"""Claims from the dependency parse (rubric.clauses) and the question's context (rubric.questions)."""

from __future__ import annotations

import pytest

from rubric.clauses import Antecedents, sentence_claims
from rubric.parser import get_parser, parse
from rubric.questions import in_context, question_goal, read_question


def claims(text: str, subject: tuple[str, bool] | None = None) -> list[str]:
    antecedents = Antecedents(question=subject)
    return [c.text for sent in parse(text).sents for c in sentence_claims(sent, antecedents)]


def test_the_parser_is_loaded_once_across_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        parsers = list(pool.map(lambda _: get_parser(), range(8)))
    assert all(p is parsers[0] for p in parsers)
    assert "ner" not in parsers[0].pipe_names  # entities are not needed


def test_coordinated_predicates_share_the_subject() -> None:
    assert claims("Activation functions are used to introduce non-linearity and help neural networks model "
                  "complex patterns.") == [
        "Activation functions are used to introduce non-linearity",
        "Activation functions help neural networks model complex patterns",
    ]


def test_participle_clauses_become_finite_claims_about_the_subject() -> None:
    assert claims("Batch normalization standardizes layer inputs to zero mean and unit variance, improving "
                  "convergence, allowing higher learning rates, and reducing exploding gradients.") == [
        "Batch normalization standardizes layer inputs to zero mean and unit variance",
        "Batch normalization improves convergence",
        "Batch normalization allows higher learning rates",
        "Batch normalization reduces exploding gradients",
    ]


def test_a_contrast_is_a_claim_of_its_own() -> None:
    assert claims("Deep learning learns features from raw data, unlike classical machine learning which "
                  "relies on features designed by hand.") == [
        "Deep learning learns features from raw data",
        "classical machine learning relies on features designed by hand",
    ]
    assert claims("GANs give sharp images, but they are hard to train.") == [
        "GANs give sharp images", "GANs are hard to train",
    ]


def test_a_condition_that_opens_a_sentence_stays_with_every_claim_of_it() -> None:
    assert claims("Once training starts, the optimizer updates the weights and reduces the loss.") == [
        "Once training starts, the optimizer updates the weights",
        "Once training starts, the optimizer reduces the loss",
    ]


def test_negation_stays_with_its_claim_and_a_step_list_is_split() -> None:
    assert claims("Don't index small tables or boolean columns.") == [
        "Don't index small tables", "Don't index boolean columns",
    ]
    assert claims("Terminal 1 is not separated from the negative battery terminal.") == [
        "Terminal 1 is not separated from the negative battery terminal"
    ]


def test_a_list_after_an_ordinary_verb_stays_one_claim() -> None:
    assert claims("RNNs are suitable for time-series prediction, language modeling, and speech recognition.") == [
        "RNNs are suitable for time-series prediction, language modeling, and speech recognition"
    ]


def test_pronouns_name_an_agreeing_antecedent() -> None:
    found = claims(
        "RNNs process sequential data step by step. They keep a hidden state between steps. It is trained "
        "with backpropagation through time.",
        subject=("a recurrent neural network", False),
    )
    assert found == [
        "RNNs process sequential data step by step",
        "RNNs keep a hidden state between steps",
        # "it" is singular: the plural paragraph subject does not fit, the question's subject does
        "a recurrent neural network is trained with backpropagation through time",
    ]


def test_the_verb_agrees_with_the_subject_put_in_place_of_a_pronoun() -> None:
    found = claims("It avoids making copies of large data structures.", subject=("references", True))
    assert found == ["It avoids making copies of large data structures"]  # no singular antecedent
    found = claims("Pointers are cheap. This avoids copies.", subject=None)
    assert found == ["Pointers are cheap", "Pointers avoid copies"]


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("What is a perceptron?", "a perceptron"),
        ("What are residual networks (ResNets) and why are they important?", "residual networks"),
        ("How do transformers handle long sequences efficiently?", "transformers"),
        ("How do you handle catastrophic forgetting in continual learning?", "catastrophic forgetting"),
        ("What is the purpose of a prototype?", "a prototype"),
        ("What is the difference between LSTM and GRU?", None),
        ("What are epochs, batch size, and iterations?", None),
    ],
)
def test_question_subject(question: str, subject: str | None) -> None:
    found = read_question(question).subject
    assert (found[0] if found else None) == subject


@pytest.mark.parametrize(
    ("question", "goal"),
    [
        ("How would you deploy a model in production?", "to deploy a model in production"),
        ("Your model does not fit into GPU memory. What would you do?", "when your model does not fit into GPU memory"),
        ("Training diverges - how do you fix it?", "when training diverges"),
        ("How do you handle it?", None),  # names no goal
        ("What is dropout?", None),
    ],
)
def test_question_goal(question: str, goal: str | None) -> None:
    assert question_goal(question) == goal


@pytest.mark.parametrize(
    ("question", "fragment", "statement"),
    [
        ("What are the two main functions defined by a stack?", "push and pop",
         "The two main functions defined by a stack are push and pop"),
        ("What is the purpose of a prototype?", "To simulate the behaviour of portions of the desired software product.",
         "The purpose of a prototype is to simulate the behaviour of portions of the desired software product"),
        ("Why did the bulb light?", "a closed path", "Why did the bulb light? Because of a closed path"),
        ("Why did the bulb light?", "Because it was in a closed path.", "Why did the bulb light: Because it was in a closed path"),
    ],
)
def test_a_fragment_is_stated_in_the_words_of_its_question(question: str, fragment: str, statement: str) -> None:
    assert in_context(fragment, question) == statement
