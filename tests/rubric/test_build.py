"""build_rubric: intent and/or reference answer -> atomic, weighted key points, on the dependency parse."""

from __future__ import annotations

import re

import pytest
import yaml

from cli import main
from rubric import InvalidRubricError, parse_question
from rubric.build import build_rubric
from rubric.limits import MAX_INTENT_CHARS, MAX_QUESTION_CHARS, MAX_REFERENCE_CHARS
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


def test_say_not_to_keeps_the_negation_and_drops_the_instruction(hashing_embedder) -> None:
    # the example: "say not to index small tables" became "Say not to index small tables ..."
    q = build_rubric(
        "When should you add a database index?",
        intent="Explain that an index speeds up reads on selective columns; say not to index small tables "
        "or low-selectivity columns.",
        embedder=hashing_embedder,
    )
    assert texts(q) == [
        "An index speeds up reads on selective columns.",
        "Do not index small tables.",
        "Do not index low-selectivity columns.",
    ]
    assert not any(t.lower().startswith(("say", "explain", "note", "mention")) for t in texts(q))
    ids = [p.id for p in q.key_points]
    assert "not-index-small-tables" in ids and "not-index-low-selectivity-columns" in ids


def test_a_negated_step_list_keeps_its_negation_in_every_point(hashing_embedder) -> None:
    q = build_rubric(
        "When should you add a database index?",
        reference_answer="Don't index small tables or boolean columns.",
        embedder=hashing_embedder,
    )
    assert texts(q) == ["Don't index small tables.", "Don't index boolean columns."]


@pytest.mark.parametrize("verb", ["mention", "note", "describe", "state"])
def test_other_instruction_verbs_are_stripped(hashing_embedder, verb: str) -> None:
    q = build_rubric(
        "What is dropout?",
        intent=f"{verb.capitalize()} that dropout randomly switches off neurons during training.",
        embedder=hashing_embedder,
    )
    assert texts(q) == ["Dropout randomly switches off neurons during training."]


def test_coordinated_predicates_keep_the_subject(hashing_embedder) -> None:
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
        reference_answer="Use quantization, pruning, and optimized runtimes to reduce latency.",
        embedder=hashing_embedder,
    )
    assert texts(q) == [
        "Use quantization to reduce latency.",
        "Use pruning to reduce latency.",
        "Use optimized runtimes to reduce latency.",
    ]


def test_steps_for_a_situation_say_when(hashing_embedder) -> None:
    q = build_rubric(
        "Your model is overfitting - what steps would you take?",
        reference_answer="Use dropout, weight decay, or early stopping.",
        embedder=hashing_embedder,
    )
    assert texts(q) == [
        "Use dropout when your model is overfitting.",
        "Use weight decay when your model is overfitting.",
        "Use early stopping when your model is overfitting.",
    ]


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


def test_topics_steer_but_do_not_become_points_when_there_are_claims(hashing_embedder) -> None:
    q = build_rubric(
        "What is transfer learning?",
        intent="Highlight the concept, advantages, and practical application of pre-trained models.",
        reference_answer="Transfer learning reuses a pre-trained model on a new task.",
        embedder=hashing_embedder,
    )
    assert texts(q) == ["Transfer learning reuses a pre-trained model on a new task."]


# --- never failing on a real reference answer ------------------------------------------------


@pytest.mark.parametrize(
    ("question", "reference", "point"),
    [
        ("What are the two main functions defined by a stack?", "push and pop",
         "The two main functions defined by a stack are push and pop."),
        ("What is the purpose of a prototype?", "To simulate the behaviour of portions of the desired software product.",
         "The purpose of a prototype is to simulate the behaviour of portions of the desired software product."),
        ("What are the members of a class?", "Function members and data members.",
         "The members of a class are function members and data members."),
        ("Why was bulb C off when switch Z was open?", "a gap", "Why was bulb C off when switch Z was open? Because of a gap."),
    ],
)
def test_a_fragment_becomes_a_point_in_the_context_of_its_question(
    hashing_embedder, question: str, reference: str, point: str
) -> None:
    q = build_rubric(question, reference_answer=reference, embedder=hashing_embedder)
    assert texts(q) == [point]
    # the source's own wording is kept as an alternative phrasing
    assert q.key_points[0].alternatives[0].rstrip(".").lower() == reference.rstrip(".").lower()


def test_a_reference_with_a_pronoun_subject_is_a_point(hashing_embedder) -> None:
    q = build_rubric(
        "What is the advantage of passing by reference?",
        reference_answer="It avoids making copies of large data structures when calling functions.",
        embedder=hashing_embedder,
    )
    assert len(q.key_points) == 1
    assert "avoids making copies of large data structures" in q.key_points[0].text


def test_long_questions_intents_and_references_within_the_limits_are_accepted(hashing_embedder) -> None:
    context = "Cory and Rachael set up three solar water heaters of different sizes in the sun. " * 12
    question = context + "Which container would show the greatest temperature change?"
    assert 1000 < len(question) <= MAX_QUESTION_CHARS
    reference = "The smallest container shows the greatest temperature change. " * 40
    q = build_rubric(question, reference_answer=reference, embedder=hashing_embedder)
    assert texts(q) == ["The smallest container shows the greatest temperature change."]


@pytest.mark.parametrize(
    ("question", "intent", "reference", "point_id", "message"),
    [
        ("What is dropout?", None, None, None, "give an answer intent, a reference answer, or both"),
        ("  ", "Explain dropout.", None, None, "question: the question text is empty"),
        ("What is dropout?", "x" * (MAX_INTENT_CHARS + 1), None, None, f"intent: longer than {MAX_INTENT_CHARS} characters"),
        ("What?" * 1001, "Explain dropout.", None, None, f"question: longer than {MAX_QUESTION_CHARS} characters"),
        ("What is dropout?", None, "x " * (MAX_REFERENCE_CHARS // 2 + 1), None,
         f"reference_answer: longer than {MAX_REFERENCE_CHARS} characters"),
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


def test_nothing_checkable_is_an_error_that_says_what_to_add(hashing_embedder) -> None:
    with pytest.raises(InvalidRubricError, match="no checkable statement") as error:
        build_rubric("What is dropout?", reference_answer="Yes. OK.", embedder=hashing_embedder)
    assert "add a reference answer with at least one statement" in str(error.value)
    assert "'Yes. OK.'" in str(error.value)


# --- ids, duplicates, weights -------------------------------------------------------------


def test_point_ids_are_readable_whole_words_and_unique(hashing_embedder) -> None:
    q = build_rubric(
        "How do you reduce GPU memory use?",
        reference_answer="Reduce batch size, use mixed-precision training, use gradient accumulation, "
        "use gradient checkpointing, or distribute training across multiple GPUs.",
        embedder=hashing_embedder,
    )
    ids = [p.id for p in q.key_points]
    assert len(ids) == len(set(ids)) == 5
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", i) for i in ids)
    for point in q.key_points:  # every word of an id is a whole word of its point
        words = set(re.findall(r"[a-z0-9]+", point.text.lower()))
        assert set(point.id.split("-")) <= words | {"not"}, point.id


def test_the_same_input_gives_the_same_rubric(hashing_embedder) -> None:
    args = ("What is overfitting?", "Describe overfitting, why it happens, and methods to prevent it.",
            "Overfitting occurs when a model does well on training data but poorly on new data. "
            "Prevention techniques include dropout, early stopping, and data augmentation.")
    first = build_rubric(*args, embedder=hashing_embedder)
    assert build_rubric(*args, embedder=hashing_embedder) == first


def test_the_same_claim_twice_is_one_point_with_an_alternative(hashing_embedder) -> None:
    q = build_rubric(
        "What is dropout?",
        intent="Explain that dropout randomly switches off neurons during training.",
        reference_answer="During training, dropout randomly switches off neurons.",
        embedder=hashing_embedder,
    )
    assert texts(q) == ["Dropout randomly switches off neurons during training."]
    assert q.key_points[0].alternatives == ("During training, dropout randomly switches off neurons.",)


@pytest.mark.parametrize(
    ("claim", "weight"),
    [
        ("Attention heads enhance model performance.", 1.0),  # nothing of its own beyond the question
        ("Attention heads capture relationships.", 1.0),  # two words of its own
        ("Each head has separate query projections.", 2.0),  # three
        ("Head outputs are concatenated and mixed by a linear projection.", 3.0),
    ],
)
def test_a_point_weighs_no_more_than_it_adds_to_the_question(claim: str, weight: float) -> None:
    assert content_weight(claim, "What are attention heads in a transformer?") == weight


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


def test_weights_follow_what_the_question_asks_first(real_evaluator) -> None:
    q = build_rubric(
        "What is dropout, and what is weight decay?",
        reference_answer="Dropout is a regularization technique that randomly switches off neurons during training. "
        "Weight decay is a regularization technique that adds a penalty on large weights to the loss.",
        embedder=real_evaluator.embedder,
    )
    weights = [p.weight for p in q.key_points]
    assert len(weights) == 2
    assert weights[0] > weights[1]  # the first ask (dropout) before the second (weight decay)


def test_weights_follow_what_the_intent_stresses(real_evaluator) -> None:
    q = build_rubric(
        "What is dropout?",
        intent="Explain that dropout switches off random neurons during training. Above all, stress that "
        "dropout is disabled at inference time.",
        embedder=real_evaluator.embedder,
    )
    weights = {p.text: p.weight for p in q.key_points}
    assert weights["Dropout is disabled at inference time."] > weights[
        "Dropout switches off random neurons during training."
    ]


def test_intent_claims_weigh_more_than_details_of_the_reference(real_evaluator) -> None:
    q = build_rubric(
        "What is dropout?",
        intent="Explain that dropout randomly switches off neurons during training.",
        reference_answer="Activations are rescaled by the keep probability at inference time.",
        embedder=real_evaluator.embedder,
    )
    weights = {p.text: p.weight for p in q.key_points}
    assert set(weights) == {
        "Dropout randomly switches off neurons during training.",
        "Activations are rescaled by the keep probability at inference time.",
    }
    assert weights["Dropout randomly switches off neurons during training."] > weights[
        "Activations are rescaled by the keep probability at inference time."
    ]


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
