from __future__ import annotations

import json

import pytest
from api_helpers import GOOD_ANSWER, OFF_TOPIC_ANSWER, assert_error

from evaluator import MAX_ANSWER_CHARS
from rubric import InvalidRubricError, parse_question

INLINE_RUBRIC = {
    "id": "my-dropout",
    "text": "What does dropout do?",
    "key_points": [
        {
            "id": "zeroes-units",
            "text": "Dropout randomly sets a fraction of activations to zero during training.",
        },
        {"id": "regularizes", "text": "Dropout reduces overfitting by acting as a regularizer.", "weight": 2},
    ],
}


def test_scores_an_answer_to_a_bank_question(client, real_evaluator):
    response = client.post("/v1/evaluations", json={"question_id": "fresher-01", "answer": GOOD_ANSWER})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["question_id"] == "fresher-01"
    assert [p["id"] for p in result["points"]] == [
        p.id for p in real_evaluator.bank.get("fresher-01").key_points
    ]
    assert result["model"] == real_evaluator.model_name
    for point in result["points"]:
        if point["evidence"] is not None:
            assert (
                GOOD_ANSWER[point["evidence"]["start"] : point["evidence"]["end"]]
                == point["evidence"]["text"]
            )
    assert result == real_evaluator.evaluate(GOOD_ANSWER, question_id="fresher-01").model_dump(mode="json")


def test_a_good_answer_outscores_an_off_topic_one(client):
    good = client.post("/v1/evaluations", json={"question_id": "fresher-01", "answer": GOOD_ANSWER}).json()
    bad = client.post(
        "/v1/evaluations", json={"question_id": "fresher-01", "answer": OFF_TOPIC_ANSWER}
    ).json()
    assert good["score"] > bad["score"] + 0.2  # the calibration is being tuned: an ordering, not values
    assert len(bad["missed"]) > len(good["missed"])


def test_scores_against_an_inline_rubric(client):
    answer = "During training dropout zeroes random neurons, which keeps the network from overfitting."
    response = client.post("/v1/evaluations", json={"rubric": INLINE_RUBRIC, "answer": answer})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["question_id"] == "my-dropout"
    assert [p["id"] for p in result["points"]] == ["zeroes-units", "regularizes"]
    unrelated = client.post("/v1/evaluations", json={"rubric": INLINE_RUBRIC, "answer": OFF_TOPIC_ANSWER})
    assert result["score"] > unrelated.json()["score"]


@pytest.mark.parametrize(
    "question_id", ["no-such-question", "../../etc/passwd", "/etc/passwd", "fresher-01/../../../etc/passwd"]
)
def test_unknown_and_path_like_ids_are_404(client, question_id):
    response = client.post("/v1/evaluations", json={"question_id": question_id, "answer": GOOD_ANSWER})
    error = assert_error(response, 404, "unknown_question")
    assert error["details"] == {"question_id": question_id}


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("", "empty_answer"),
        ("   \n\t ", "empty_answer"),
        ("?!... --", "empty_answer"),
        ("Backprop\x00 computes gradients.", "answer_not_text"),
        ("x" * (MAX_ANSWER_CHARS + 1), "answer_too_long"),
    ],
)
def test_invalid_answers_are_422_with_the_library_message(client, answer, code):
    response = client.post("/v1/evaluations", json={"question_id": "fresher-01", "answer": answer})
    error = assert_error(response, 422, code)
    assert "answer" in error["message"]


def test_an_answer_too_long_says_the_limit(client):
    response = client.post("/v1/evaluations", json={"question_id": "fresher-01", "answer": "a" * 12_345})
    assert f"{MAX_ANSWER_CHARS:,}" in assert_error(response, 422, "answer_too_long")["message"]


def test_invalid_json_is_422(client):
    response = client.post(
        "/v1/evaluations",
        content=b'{"question_id": "fresher-01", "answer": ',
        headers={"Content-Type": "application/json"},
    )
    error = assert_error(response, 422, "invalid_json")
    assert error["details"]["errors"][0]["type"] == "json_invalid"


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"question_id": "fresher-01"}, "answer"),
        ({"question_id": "fresher-01", "answer": 42}, "answer"),
        ({"answer": GOOD_ANSWER}, "exactly one"),
        ({"question_id": "fresher-01", "rubric": INLINE_RUBRIC, "answer": GOOD_ANSWER}, "exactly one"),
        ({"question_id": "fresher-01", "answer": GOOD_ANSWER, "questionId": "x"}, "questionId"),
        ({"rubric": {**INLINE_RUBRIC, "key_points": []}, "answer": GOOD_ANSWER}, "key_points"),
        ([1, 2, 3], "body"),
    ],
)
def test_invalid_bodies_are_422_naming_the_field(client, body, where):
    response = client.post("/v1/evaluations", json=body)
    error = assert_error(response, 422, "invalid_request")
    assert where in error["message"]
    assert all(set(d) == {"loc", "message", "type"} for d in error["details"]["errors"])


def test_validation_errors_do_not_echo_the_answer(client):
    secret = "my-unique-answer-text-that-must-not-come-back"
    response = client.post("/v1/evaluations", json={"answer": secret})
    assert_error(response, 422, "invalid_request")
    assert secret not in response.text


def test_batch_scores_in_order_in_one_forward_pass(client, real_evaluator, monkeypatch):
    items = [
        {"question_id": "fresher-01", "answer": "Deep networks stack many layers of neurons (batch test)."},
        {
            "question_id": "fresher-03",
            "answer": "Backpropagation applies the chain rule backwards (batch test).",
        },
        {"rubric": INLINE_RUBRIC, "answer": "Dropout zeroes random activations (batch test)."},
    ]
    calls: list[list[str]] = []
    for method in ("encode", "token_vectors"):  # answers' segments are pooled from token vectors
        model_call = getattr(real_evaluator.embedder, method)
        monkeypatch.setattr(
            real_evaluator.embedder, method, lambda texts, call=model_call: calls.append(list(texts)) or call(texts)
        )
    response = client.post("/v1/evaluations/batch", json={"items": items})
    monkeypatch.undo()
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["question_id"] for r in results] == ["fresher-01", "fresher-03", "my-dropout"]
    answer_calls = [c for c in calls if any("(batch test)" in t for t in c)]
    assert len(answer_calls) == 1, "all answers of a batch go through one encode call"
    for item, result in zip(items, results, strict=True):
        single = client.post("/v1/evaluations", json=item).json()
        assert result["score"] == pytest.approx(single["score"], abs=1e-3)


def test_batch_invalid_items_get_their_own_errors(client):
    items = [
        {"question_id": "fresher-01", "answer": GOOD_ANSWER},
        {"question_id": "no-such-question", "answer": GOOD_ANSWER},
        {"question_id": "fresher-01", "answer": "   "},
        {"question_id": "fresher-01"},
        {"question_id": "fresher-02", "answer": "x" * (MAX_ANSWER_CHARS + 1)},
        "not an object",
        {"question_id": "fresher-03", "answer": "Backpropagation computes gradients with the chain rule."},
    ]
    response = client.post("/v1/evaluations/batch", json={"items": items})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == len(items)
    assert results[0]["question_id"] == "fresher-01" and results[0]["points"]
    assert results[6]["question_id"] == "fresher-03"
    expected = {
        1: "unknown_question",
        2: "empty_answer",
        3: "invalid_item",
        4: "answer_too_long",
        5: "invalid_item",
    }
    for index, code in expected.items():
        assert set(results[index]) == {"error"}
        assert set(results[index]["error"]) == {"code", "message", "details"}
        assert results[index]["error"]["code"] == code
    assert results[1]["error"]["details"] == {"question_id": "no-such-question"}
    assert results[3]["error"]["details"]["errors"][0]["loc"] == ["answer"]


def test_batch_over_the_limit_is_413(client):
    item = {"question_id": "fresher-01", "answer": "layers"}
    response = client.post("/v1/evaluations/batch", json={"items": [item] * 65})
    error = assert_error(response, 413, "too_many_items")
    assert error["details"] == {"items": 65, "max_items": 64}


def test_batch_at_the_limit_is_scored(client):
    items = [{"question_id": "fresher-01", "answer": f"Deep learning uses {n} layers."} for n in range(64)]
    response = client.post("/v1/evaluations/batch", json={"items": items})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 64


@pytest.mark.parametrize("body", [{"items": []}, {}, {"items": "x"}, {"items": [], "extra": 1}])
def test_batch_bodies_that_are_invalid_as_a_whole_are_422(client, body):
    assert_error(client.post("/v1/evaluations/batch", json=body), 422, "invalid_request")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/evaluations", {"question_id": "fresher-01", "answer": GOOD_ANSWER}),
        ("/v1/evaluations/batch", {"items": [{"question_id": "fresher-01", "answer": GOOD_ANSWER}]}),
    ],
)
def test_a_json_body_sent_without_the_json_content_type_is_told_to_send_it(client, content_type, path, body):
    """curl -d sends `application/x-www-form-urlencoded`; no header at all is not JSON either."""
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(path, content=json.dumps(body), headers=headers)
    error = assert_error(response, 422, "invalid_request")
    assert "Content-Type: application/json" in error["message"]
    assert (content_type or "no Content-Type header") in error["message"]
    assert error["details"]["content_type"] == content_type
    assert client.post(path, json=body).status_code == 200  # the same body, sent as JSON, is scored


def test_an_inline_key_point_without_an_id_is_named_alone(client):
    """Not also "key_points: Tuple should have at least 1 item after validation, not 0"."""
    rubric = {**INLINE_RUBRIC, "key_points": [{"text": "Dropout zeroes random activations in training."}]}
    error = assert_error(
        client.post("/v1/evaluations", json={"rubric": rubric, "answer": GOOD_ANSWER}), 422, "invalid_request"
    )
    assert error["message"] == "the request is not valid: body.rubric.key_points.0.id: Field required"
    assert [e["loc"] for e in error["details"]["errors"]] == [["body", "rubric", "key_points", 0, "id"]]
    batch = client.post("/v1/evaluations/batch", json={"items": [{"rubric": rubric, "answer": GOOD_ANSWER}]})
    item = batch.json()["results"][0]["error"]
    assert item["code"] == "invalid_item"
    assert item["message"] == "the item is not valid: rubric.key_points.0.id: Field required"


def test_the_library_names_the_missing_key_point_id_alone(real_evaluator):
    rubric = {**INLINE_RUBRIC, "key_points": [{"text": "Dropout zeroes random activations in training."}]}
    with pytest.raises(InvalidRubricError) as raised:
        real_evaluator.evaluate(GOOD_ANSWER, rubric=rubric)
    assert str(raised.value) == "key_points.0.id: Field required"
    with pytest.raises(InvalidRubricError) as raised:  # an empty list is still too short, and says so
        parse_question({**INLINE_RUBRIC, "key_points": []})
    assert str(raised.value).startswith("key_points: Tuple should have at least 1 item")
