from __future__ import annotations

import pytest
from api_helpers import assert_error


def test_lists_every_question_in_bank_order(client, real_evaluator):
    response = client.get("/v1/questions")
    assert response.status_code == 200
    questions = response.json()["questions"]
    bank = real_evaluator.bank
    assert [q["id"] for q in questions] == list(bank)
    first = bank.get(questions[0]["id"])
    assert questions[0] == {
        "id": first.id,
        "level": first.level,
        "topic": first.topic,
        "text": first.text,
        "key_points": len(first.key_points),
    }


@pytest.mark.parametrize(
    "query", [{"level": "fresher"}, {"topic": "optimization"}, {"level": "advanced", "topic": "transformers"}]
)
def test_filters_by_level_and_topic(client, real_evaluator, query):
    questions = client.get("/v1/questions", params=query).json()["questions"]
    assert [q["id"] for q in questions] == [q.id for q in real_evaluator.bank.filter(**query)]
    assert all(all(q[k] == v for k, v in query.items()) for q in questions)


def test_unknown_topic_is_404_listing_the_topics(client, real_evaluator):
    error = assert_error(client.get("/v1/questions", params={"topic": "astrology"}), 404, "unknown_topic")
    topics = real_evaluator.bank.topics
    assert error["details"] == {"topic": "astrology", "topics": topics}
    assert "'astrology'" in error["message"] and all(topic in error["message"] for topic in topics)


def test_unknown_level_is_422(client):
    error = assert_error(client.get("/v1/questions", params={"level": "expert"}), 422, "invalid_request")
    assert error["details"]["errors"][0]["loc"] == ["query", "level"]


def test_one_question_has_its_key_points_but_not_the_reference(client, real_evaluator):
    question = real_evaluator.bank.get("fresher-01")
    response = client.get("/v1/questions/fresher-01")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "fresher-01" and body["text"] == question.text
    assert [p["id"] for p in body["key_points"]] == [p.id for p in question.key_points]
    assert body["key_points"][0]["alternatives"] == list(question.key_points[0].alternatives)
    assert body["reference_answer"] is None


def test_reference_answer_only_on_request(client, real_evaluator):
    question = real_evaluator.bank.get("fresher-01")
    assert question.reference_answer
    body = client.get("/v1/questions/fresher-01", params={"include_reference": "true"}).json()
    assert body["reference_answer"] == question.reference_answer
    body = client.get("/v1/questions/fresher-01", params={"include_reference": "false"}).json()
    assert body["reference_answer"] is None


def test_unknown_question_is_404(client):
    error = assert_error(client.get("/v1/questions/no-such-question"), 404, "unknown_question")
    assert error["details"] == {"question_id": "no-such-question"}
    assert "no-such-question" in error["message"]
    assert "GET /v1/questions" in error["message"] and "evaluator questions" not in error["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/questions/..%2F..%2Fetc%2Fpasswd",
        "/v1/questions/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/v1/questions/..%2F..%2Fpyproject.toml",
        "/v1/questions/fresher-01.yaml",
        "/v1/questions/..",
    ],
)
def test_path_like_ids_are_unknown_not_files(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"code", "message", "details"}
    assert "root:" not in response.text and "[project]" not in response.text


def test_bad_include_reference_is_422(client):
    assert_error(
        client.get("/v1/questions/fresher-01", params={"include_reference": "maybe"}), 422, "invalid_request"
    )
