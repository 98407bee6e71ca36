"""POST /v1/rubrics: intent and/or reference answer in, a question with key points out (real model)."""

from __future__ import annotations

import inspect
import threading

import pytest
from api_helpers import OFF_TOPIC_ANSWER, assert_error, running_client

from api import Settings, create_app
from api.routes.rubrics import create_rubric
from rubric import build_rubric, parse_question
from rubric.limits import MAX_INTENT_CHARS

DROPOUT = {
    "question": "What is dropout, and why does it help?",
    "intent": "Explain that dropout randomly switches off neurons during training, which reduces "
    "overfitting.",
    "reference_answer": "Dropout is turned off at inference time.",
}


def test_builds_the_question_the_library_builds(client, real_evaluator):
    response = client.post("/v1/rubrics", json={**DROPOUT, "id": "my-dropout", "level": "fresher"})
    assert response.status_code == 200, response.text
    body = response.json()
    question = parse_question(body)  # the bank schema, field for field
    expected = build_rubric(
        DROPOUT["question"], DROPOUT["intent"], DROPOUT["reference_answer"], id="my-dropout",
        embedder=real_evaluator.embedder,
    )
    assert question == expected.model_copy(update={"level": "fresher"})
    assert body["id"] == "my-dropout" and body["reference_answer"] == DROPOUT["reference_answer"]
    texts = [p["text"] for p in body["key_points"]]
    assert any(t.startswith("Dropout randomly switches off neurons during training") for t in texts)
    assert "Dropout is turned off at inference time." in texts
    # the same keys as a bank question from GET /v1/questions/{id}
    assert set(body) == set(client.get("/v1/questions/fresher-01").json())


def test_the_built_rubric_scores_answers_through_the_evaluations_route(client):
    rubric = client.post("/v1/rubrics", json=DROPOUT).json()
    good = ("During training dropout zeroes a random subset of the neurons, which stops the network from "
            "overfitting; at test time nothing is dropped.")
    scores = [
        client.post("/v1/evaluations", json={"rubric": rubric, "answer": answer}).json()["score"]
        for answer in (good, OFF_TOPIC_ANSWER)
    ]
    assert scores[0] > scores[1]


@pytest.mark.parametrize("source", ["intent", "reference_answer"])
def test_either_text_alone_is_enough(client, source):
    body = {"question": DROPOUT["question"], source: DROPOUT[source]}
    response = client.post("/v1/rubrics", json=body)
    assert response.status_code == 200, response.text
    built = response.json()
    assert built["id"] == "what-is-dropout-and-why-does-it-help" and built["key_points"]
    assert built["intent" if source == "reference_answer" else "reference_answer"] is None


def test_max_points_caps_the_rubric(client):
    reference = ("Batch normalization standardizes layer inputs to zero mean and unit variance, improving "
                 "convergence, allowing higher learning rates, and reducing exploding gradients.")
    body = {"question": "What is batch normalization?", "reference_answer": reference}
    assert len(client.post("/v1/rubrics", json=body).json()["key_points"]) > 2
    assert len(client.post("/v1/rubrics", json={**body, "max_points": 2}).json()["key_points"]) == 2


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"question": "What is dropout?"}, "body"),
        ({"question": "What is dropout?", "intent": "  ", "reference_answer": ""}, "body"),
        ({"intent": "Explain dropout."}, "body.question"),
        ({**DROPOUT, "id": "Bad Id"}, "body.id"),
        ({**DROPOUT, "max_points": 0}, "body.max_points"),
        ({**DROPOUT, "level": "expert"}, "body.level"),
        ({**DROPOUT, "intent": "x" * (MAX_INTENT_CHARS + 1)}, "body.intent"),
        ({**DROPOUT, "colour": "blue"}, "body.colour"),
    ],
)
def test_bad_requests_are_422_in_the_one_shape(client, body, where):
    error = assert_error(client.post("/v1/rubrics", json=body), 422, "invalid_request")
    assert any(".".join(map(str, d["loc"])) == where for d in error["details"]["errors"]), error


def test_nothing_checkable_is_an_invalid_rubric(client):
    body = {"question": "What is dropout?", "reference_answer": "Yes. OK."}
    error = assert_error(client.post("/v1/rubrics", json=body), 422, "invalid_rubric")
    assert "no checkable statement" in error["message"]


def test_needs_the_api_key_when_the_server_has_one(real_evaluator):
    with running_client(create_app(Settings(api_key="rubric-key"), evaluator=real_evaluator)) as keyed:
        assert_error(keyed.post("/v1/rubrics", json=DROPOUT), 401, "unauthorized")
        assert keyed.post("/v1/rubrics", json=DROPOUT, headers={"X-API-Key": "rubric-key"}).status_code == 200


def test_503_while_the_model_loads(real_evaluator):
    release = threading.Event()

    class SlowToLoad:
        @property
        def embedder(self):
            assert release.wait(timeout=120)
            return real_evaluator.embedder

        def __getattr__(self, name: str):
            return getattr(real_evaluator, name)

    try:
        with running_client(create_app(Settings(), evaluator=SlowToLoad()), wait_ready=False) as client:
            assert_error(client.post("/v1/rubrics", json=DROPOUT), 503, "not_ready")
    finally:
        release.set()


def test_runs_in_the_threadpool():
    # it runs the model: an `async def` would block the event loop for every other request
    assert not inspect.iscoroutinefunction(create_rubric)


def test_documented_in_openapi(client):
    operation = client.get("/openapi.json").json()["paths"]["/v1/rubrics"]["post"]
    success = operation["responses"]["200"]["content"]["application/json"]
    assert success["schema"]["$ref"].endswith("/Question")
    assert {"422", "503", "401"} <= set(operation["responses"])
    assert len(operation["requestBody"]["content"]["application/json"]["examples"]) >= 3
