"""build_rubric: intent and/or reference answer -> atomic, weighted key points."""

from __future__ import annotations

import re

import pytest
import yaml

from cli import main
from rubric import InvalidRubricError, parse_question
from rubric.build import build_rubric, question_goal, question_subject, split_claim
from rubric.selection import content_weight


def texts(question) -> list[str]:
    return [p.text for p in question.key_points]


def test_instruction_verbs_are_stripped_and_contrast_split(hashing_embedder) -> None:
    q = build_rubric(
        "What is deep learning, and how does it differ from machine learning?",
        intent="Explain that deep learning learns features from raw data, unlike classical machine "
        "learning which relies on features designed by hand.",
        embedder=hashing_embedder,
    )
    assert texts(q) == [
        "Deep learning learns features from raw data.",
        "Classical machine learning relies on features designed by hand.",
    ]
    assert q.intent.startswith("Explain that")


def test_describe_how_and_coordinated_predicates_keep_the_subject(hashing_embedder) -> None:
    q = build_rubric(
        "Why do networks need activation functions?",
        intent="Explain why activation functions are used to introduce non-linearity and help neural "
        "networks model complex patterns.",
        embedder=hashing_embedder,
    )
    assert texts(q) == [
        "Activation functions are used to introduce non-linearity.",
        "Activation functions help neural networks model complex patterns.",
    ]


def test_participle_clauses_become_claims_about_the_subject(hashing_embedder) -> None:
    q = build_rubric(
        "What is batch normalization?",
        reference_answer="Batch normalization standardizes layer inputs to zero mean and unit variance, "
        "improving convergence, allowing higher learning rates, and reducing exploding gradients.",
        embedder=hashing_embedder,
    )
    assert texts(q) == [
        "Batch normalization standardizes layer inputs to zero mean and unit variance.",
        "Batch normalization improves convergence.",
        "Batch normalization allows higher learning rates.",
        "Batch normalization reduces exploding gradients.",
    ]


def test_a_list_of_measures_is_split_with_the_subject_named(hashing_embedder) -> None:
    q = build_rubric(
        "How can you handle imbalanced datasets?",
        reference_answer="Techniques include oversampling minority classes, undersampling majority "
        "classes, and using class weights.",
        embedder=hashing_embedder,
    )
    assert texts(q) == [
        "Techniques for imbalanced datasets include oversampling minority classes.",
        "Techniques for imbalanced datasets include undersampling majority classes.",
        "Techniques for imbalanced datasets include using class weights.",
    ]


def test_a_list_of_examples_stays_one_point(hashing_embedder) -> None:
    q = build_rubric(
        "What is a recurrent neural network?",
        reference_answer="RNNs are suitable for time-series prediction, language modeling, and speech recognition.",
        embedder=hashing_embedder,
    )
    assert texts(q) == ["RNNs are suitable for time-series prediction, language modeling, and speech recognition."]


def test_it_and_they_are_resolved_to_the_subject(hashing_embedder) -> None:
    q = build_rubric(
        "What is a recurrent neural network?",
        reference_answer="RNNs process sequential data step by step. They keep a hidden state between "
        "steps. It is trained with backpropagation through time.",
        embedder=hashing_embedder,
    )
    assert "RNNs keep a hidden state between steps." in texts(q)
    # "it" is singular: the plural paragraph subject does not fit, the question's subject does
    assert "A recurrent neural network is trained with backpropagation through time." in texts(q)
    assert not any(re.match(r"(It|They)\b", t) for t in texts(q))


def test_imperative_steps_are_split_into_separate_actions(hashing_embedder) -> None:
    q = build_rubric(
        "How do you fine-tune a pre-trained model?",
        reference_answer="Freeze initial layers to retain learned features, replace the final layer "
        "for the new task, and train with a lower learning rate.",
        embedder=hashing_embedder,
    )
    # a step without a purpose of its own says what it is for: the question's goal
    assert texts(q) == [
        "Freeze initial layers to retain learned features.",
        "Replace the final layer for the new task to fine-tune a pre-trained model.",
        "Train with a lower learning rate to fine-tune a pre-trained model.",
    ]


def test_steps_share_the_purpose_their_sentence_states(hashing_embedder) -> None:
    q = build_rubric(
        "How do you optimize inference speed?",
        reference_answer="Use quantization, pruning, and optimized runtimes to reduce latency without "
        "significant accuracy loss.",
        embedder=hashing_embedder,
    )
    assert texts(q) == [
        "Use quantization to reduce latency.",
        "Use pruning to reduce latency.",
        "Use optimized runtimes to reduce latency without significant accuracy loss.",
    ]


def test_steps_for_a_situation_say_when(hashing_embedder) -> None:
    q = build_rubric(
        "Your model is overfitting - what steps would you take?",
        reference_answer="Use dropout, weight decay, or early stopping. Containerize with Docker.",
        embedder=hashing_embedder,
    )
    assert texts(q) == [
        "Use dropout when your model is overfitting.",
        "Use weight decay when your model is overfitting.",
        "Use early stopping when your model is overfitting.",
        "Containerize with Docker when your model is overfitting.",
    ]


@pytest.mark.parametrize(
    ("question", "goal"),
    [
        ("How would you deploy a model in production?", "to deploy a model in production"),
        (
            "Your model does not fit into GPU memory. What would you do?",
            "when your model does not fit into GPU memory",
        ),
        ("Training diverges - how do you fix it?", "when training diverges"),
        ("How do you handle it?", None),  # names no goal
        ("What is dropout?", None),
    ],
)
def test_question_goal(question: str, goal: str | None) -> None:
    assert question_goal(question) == goal


def test_an_effect_stated_with_which_is_a_claim_about_the_subject(hashing_embedder) -> None:
    q = build_rubric(
        "What is dropout?",
        intent="Explain that dropout randomly switches off neurons during training, which reduces "
        "overfitting.",
        reference_answer="Dropout uses a keep probability, which is tuned per layer.",
        embedder=hashing_embedder,
    )
    assert texts(q) == [
        "Dropout randomly switches off neurons during training.",
        "Dropout reduces overfitting.",
        "Dropout uses a keep probability, which is tuned per layer.",  # "which" is the probability
    ]


def test_a_definition_intent_becomes_a_claim_about_the_subject(hashing_embedder) -> None:
    q = build_rubric(
        "What is a perceptron?",
        intent="Explain the simplest unit of a neural network used for binary classification.",
        embedder=hashing_embedder,
    )
    assert texts(q) == ["A perceptron is the simplest unit of a neural network used for binary classification."]


def test_intent_alone_reference_alone_and_both_work(hashing_embedder) -> None:
    question = "What is dropout?"
    intent = "Explain that dropout randomly switches off neurons during training."
    reference = "Dropout randomly disables neurons during training. It reduces overfitting."
    for kwargs in ({"intent": intent}, {"reference_answer": reference}, {"intent": intent, "reference_answer": reference}):
        q = build_rubric(question, embedder=hashing_embedder, **kwargs)
        assert q.key_points
        assert q.id == "what-is-dropout"
        # the result is a valid bank question, field for field
        assert parse_question(q.model_dump(mode="json")) == q


def _dropout_weights(real_evaluator, question: str, reference: str) -> dict[str, float]:
    """Text -> weight of the points built, with the real model, from one dropout intent and `reference`."""
    q = build_rubric(
        question,
        intent="Explain that dropout randomly switches off neurons during training.",
        reference_answer=reference,
        embedder=real_evaluator.embedder,
    )
    return {p.text: p.weight for p in q.key_points}


def test_intent_claims_weigh_more_than_details_of_the_reference(real_evaluator) -> None:
    weights = _dropout_weights(
        real_evaluator, "What is dropout?", "Activations are rescaled by the keep probability at inference time."
    )
    assert set(weights) == {
        "Dropout randomly switches off neurons during training.",
        "Activations are rescaled by the keep probability at inference time.",
    }
    assert weights["Dropout randomly switches off neurons during training."] == 3
    assert weights["Activations are rescaled by the keep probability at inference time."] < 3


def test_topics_steer_but_do_not_become_points_when_there_are_claims(hashing_embedder) -> None:
    q = build_rubric(
        "What is transfer learning?",
        intent="Highlight the concept, advantages, and practical application of pre-trained models.",
        reference_answer="Transfer learning reuses a pre-trained model on a new task.",
        embedder=hashing_embedder,
    )
    assert texts(q) == ["Transfer learning reuses a pre-trained model on a new task."]


def test_without_a_reference_the_intent_topics_are_points_too(real_evaluator) -> None:
    q = build_rubric(
        "How does a neural network work?",
        intent="Describe the structure of a neural network, including layers, neurons, and how they process "
        "inputs.",
        embedder=real_evaluator.embedder,
    )
    expected = {"Neural network: layers.", "Neural network: neurons.", "Neural networks process inputs."}
    assert expected <= set(texts(q))
    # topics that share only the subject are not duplicates of each other
    q = build_rubric(
        "What is an autoencoder?",
        intent="Describe autoencoders' architecture, purpose, and typical use cases.",
        embedder=real_evaluator.embedder,
    )
    assert len(q.key_points) == 3


def test_statements_after_a_colon_or_semicolon_in_the_intent_are_claims(hashing_embedder) -> None:
    q = build_rubric(
        "Compare SGD and Adam.",
        intent="Compare SGD with Adam: Adam adapts a learning rate per parameter using running averages of "
        "gradients, while SGD uses one global rate; mention that SGD often generalizes better.",
        embedder=hashing_embedder,
    )
    assert texts(q) == [
        "Adam adapts a learning rate per parameter using running averages of gradients.",
        "SGD uses one global rate.",
        "SGD often generalizes better.",
    ]


def test_an_intent_list_of_examples_and_an_as_phrase_before_a_list(hashing_embedder) -> None:
    q = build_rubric(
        "What is the vanishing gradient problem?",
        intent="Explain that gradients shrink as they pass back through many layers, and list remedies such "
        "as ReLU, residual connections and careful initialization.",
        embedder=hashing_embedder,
    )
    remedies = "remedies such as ReLU, residual connections and careful initialization."
    assert any(t.endswith(remedies) for t in texts(q))
    q = build_rubric(
        "What is dropout?",
        intent="Explain dropout as a regularization technique, how it works during training, and its "
        "benefits.",
        embedder=hashing_embedder,
    )
    assert "Dropout is a regularization technique." in texts(q)


def test_point_ids_are_unique_and_valid(hashing_embedder) -> None:
    q = build_rubric(
        "How do you reduce GPU memory use?",
        reference_answer="Reduce batch size, use mixed-precision training, gradient accumulation, "
        "gradient checkpointing, or distribute training across multiple GPUs.",
        embedder=hashing_embedder,
    )
    ids = [p.id for p in q.key_points]
    assert len(ids) == len(set(ids)) == 5
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", i) for i in ids)


def test_the_same_input_gives_the_same_rubric(hashing_embedder) -> None:
    args = ("What is overfitting?", "Describe overfitting, why it happens, and methods to prevent it.",
            "Overfitting occurs when a model does well on training data but poorly on new data. "
            "Prevention techniques include dropout, early stopping, and data augmentation.")
    first = build_rubric(*args, embedder=hashing_embedder)
    assert build_rubric(*args, embedder=hashing_embedder) == first


@pytest.mark.parametrize(
    ("question", "intent", "reference", "point_id", "message"),
    [
        ("What is dropout?", None, None, None, "give an answer intent, a reference answer, or both"),
        ("  ", "Explain dropout.", None, None, "question: the question text is empty"),
        ("What is dropout?", "x" * 2001, None, None, "intent: longer than 2000 characters"),
        ("What is dropout?", "Explain dropout and its uses.", None, "Bad Id", "id: 'Bad Id'"),
        ("What is dropout?", "   ", "  ", None, "give an answer intent"),
    ],
)
def test_bad_input_is_refused_with_a_precise_message(
    hashing_embedder, question, intent, reference, point_id, message
) -> None:
    with pytest.raises(InvalidRubricError, match=re.escape(message)):
        build_rubric(question, intent, reference, id=point_id, embedder=hashing_embedder)
    assert hashing_embedder.calls == []  # refused before any model work


def test_nothing_checkable_is_an_error(hashing_embedder) -> None:
    with pytest.raises(InvalidRubricError, match="no checkable statement"):
        build_rubric("What is dropout?", reference_answer="Yes. OK.", embedder=hashing_embedder)


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("What is a perceptron?", "a perceptron"),
        ("What are residual networks (ResNets) and why are they important?", "residual networks"),
        ("How do transformers handle long sequences efficiently?", "transformers"),
        ("How do you handle catastrophic forgetting in continual learning?", "catastrophic forgetting"),
        ("What is the difference between LSTM and GRU?", None),
        ("What are epochs, batch size, and iterations?", None),
    ],
)
def test_question_subject(question: str, subject: str | None) -> None:
    assert question_subject(question) == subject


def test_split_claim_keeps_noun_lists_and_relative_clauses_whole() -> None:
    assert split_claim("LSTM uses input, forget, and output gates to manage memory") == [
        "LSTM uses input, forget, and output gates to manage memory"
    ]
    assert split_claim("Deep learning uses layers of neurons that process and extract features") == [
        "Deep learning uses layers of neurons that process and extract features"
    ]


def test_a_condition_that_opens_a_sentence_stays_with_every_claim_of_it() -> None:
    assert split_claim("Once training starts, the optimizer updates the weights and reduces the loss.") == [
        "Once training starts, the optimizer updates the weights",
        "Once training starts, the optimizer reduces the loss",
    ]
    sentence = "When 2 variables are changed, it is impossible to tell which one caused the effect"
    assert split_claim(sentence) == [sentence]
    assert split_claim("If bulb A burns out, B and C are no longer in a closed path") == [
        "If bulb A burns out, B and C are no longer in a closed path"
    ]


def test_a_coordinated_clause_with_its_own_subject_is_a_claim_of_its_own() -> None:
    assert split_claim("Dropout zeroes random units, and the remaining activations are scaled up") == [
        "Dropout zeroes random units",
        "the remaining activations are scaled up",
    ]
    # a list of noun phrases after a comma is no clause
    assert split_claim("An LSTM combines the input gate, the forget gate and the output gate") == [
        "An LSTM combines the input gate, the forget gate and the output gate"
    ]

def test_a_trailing_reason_stays_with_its_claim() -> None:
    assert split_claim("Dropout is turned off at inference, because every neuron is needed then") == [
        "Dropout is turned off at inference, because every neuron is needed then"
    ]


def test_it_after_a_condition_stands_for_the_condition_subject(hashing_embedder) -> None:
    q = build_rubric(
        "What is gradient clipping and why is it used?",
        reference_answer="Gradient clipping caps the size of gradients during backpropagation. If the "
        "gradient norm exceeds a threshold, it is rescaled to that threshold. When a model overfits, it "
        "memorizes noise.",
        embedder=hashing_embedder,
    )
    rescaled = "If the gradient norm exceeds a threshold, the gradient norm is rescaled to that threshold."
    assert rescaled in texts(q)
    # no subject to be found in the condition: "it" is left as it is, not taken for gradient clipping
    assert "When a model overfits, it memorizes noise." in texts(q)
    assert not {"If the gradient norm exceeds a threshold.", "When a model overfits."} & set(texts(q))


def test_a_pronoun_that_opens_a_later_clause_is_resolved(hashing_embedder) -> None:
    q = build_rubric(
        "Explain it.",
        reference_answer="Batch normalization normalizes each layer's inputs over the mini-batch; this "
        "stabilizes training and allows higher learning rates. GANs give sharp images, but they are hard "
        "to train.",
        embedder=hashing_embedder,
    )
    assert "Batch normalization stabilizes training." in texts(q)
    assert "GANs are hard to train." in texts(q)
    assert not any(re.match(r"(It|They|This)\b", t) for t in texts(q))


def test_relative_and_modifier_clauses_stay_with_their_claim() -> None:
    for sentence in (
        "L1 adds the absolute weights to the loss, which drives many weights to zero",
        "Overfitting happens when a model learns the training data too well, including its noise",
    ):
        assert split_claim(sentence) == [sentence]


def test_a_linking_adverb_that_opens_a_sentence_is_dropped(hashing_embedder) -> None:
    q = build_rubric(
        "Why do we use ReLU?",
        reference_answer="ReLU is cheap to compute. However, neurons can die if they always output zero.",
        embedder=hashing_embedder,
    )
    assert "Neurons can die if they always output zero." in texts(q)


# --- with the real model -------------------------------------------------------------------


def test_near_duplicates_by_meaning_merge_into_one_point(real_evaluator, hashing_embedder) -> None:
    args = ("What is dropout?", "Explain that dropout randomly switches off neurons during training.",
            "Dropout turns off randomly chosen neurons at each training step.")
    q = build_rubric(*args, embedder=real_evaluator.embedder)
    assert len(q.key_points) == 1
    point = q.key_points[0]
    assert point.text == "Dropout randomly switches off neurons during training."
    assert point.alternatives == ("Dropout turns off randomly chosen neurons at each training step.",)
    # word hashing sees no duplicate here: it is the model that finds the same meaning
    assert len(build_rubric(*args, embedder=hashing_embedder).key_points) == 2


def test_different_claims_are_kept_apart(real_evaluator) -> None:
    q = build_rubric(
        "What is dropout?",
        intent="Explain that dropout randomly switches off neurons during training.",
        reference_answer="Dropout is turned off at inference time. It reduces overfitting.",
        embedder=real_evaluator.embedder,
    )
    assert len(q.key_points) == 3


def test_a_built_rubric_ranks_answers_like_a_person_would(real_evaluator) -> None:
    q = build_rubric(
        "What is gradient clipping and why is it used?",
        intent="Describe how gradient clipping prevents training instability in deep networks.",
        reference_answer="Gradient clipping limits gradients to a maximum threshold, preventing exploding "
        "gradients during backpropagation. This stabilizes training in very deep or recurrent networks.",
        embedder=real_evaluator.embedder,
    )
    good = ("If the gradient norm goes above a threshold we rescale the gradient down to it. That stops "
            "exploding gradients from blowing up the weights, so training of RNNs stays stable.")
    off_topic = "Convolutional layers slide small filters over an image to detect edges and textures."
    scores = [real_evaluator.evaluate(a, rubric=q).score for a in (good, off_topic)]
    assert scores[0] > scores[1]


def test_cli_build_prints_a_loadable_question(real_evaluator, monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.setattr("evaluator.embedding.default_embedder", lambda: real_evaluator.embedder)
    code = main(["rubric", "build", "--question", "What is dropout?", "--intent",
                 "Explain that dropout randomly switches off neurons during training.",
                 "--reference", "It reduces overfitting.", "--level", "fresher", "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 0
    question = parse_question(yaml.safe_load(out))
    assert question.level == "fresher"
    assert [p.text for p in question.key_points] == [
        "Dropout randomly switches off neurons during training.",
        "Dropout reduces overfitting.",
    ]
    assert (tmp_path / "what-is-dropout.yaml").read_text() == out
    assert "wrote" in err


def test_cli_build_without_intent_or_reference_is_a_usage_error(capsys) -> None:
    assert main(["rubric", "build", "--question", "What is dropout?"]) == 2
    assert capsys.readouterr().err.strip() == "evaluator: error: give --intent, --reference, or both"


@pytest.mark.parametrize(
    ("claim", "weight"),
    [
        ("Attention heads enhance model performance.", 1.0),  # nothing of its own beyond the question
        ("Attention heads capture relationships.", 1.0),  # two words of its own
        ("Each head has its own query projections.", 2.0),  # three
        ("Head outputs are concatenated and mixed by a linear projection.", 3.0),
    ],
)
def test_a_point_weighs_no_more_than_it_adds_to_the_question(claim: str, weight: float) -> None:
    assert content_weight(claim, "What are attention heads in a transformer?") == weight


def test_a_restatement_of_the_question_weighs_least(real_evaluator) -> None:
    weights = _dropout_weights(
        real_evaluator, "What is dropout, and how does it help regularization?", "Dropout helps regularization."
    )
    assert weights == {
        "Dropout randomly switches off neurons during training.": 3.0,
        "Dropout helps regularization.": 1.0,
    }
