"""The OpenAPI schema validates, every endpoint has examples, and each example is a request that succeeds."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate


@pytest.fixture(scope="module")
def schema(client):
    return client.get("/openapi.json").json()


def test_the_schema_validates(schema):
    validate(schema)
    assert {
        "/v1/evaluations",
        "/v1/evaluations/batch",
        "/v1/questions",
        "/v1/questions/{question_id}",
        "/healthz",
        "/readyz",
    } <= set(schema["paths"])


def test_docs_page_is_served(client):
    response = client.get("/docs")
    assert response.status_code == 200 and "openapi.json" in response.text


def _requests_from_examples(schema):
    """(method, path, params, json) for every documented example, endpoint by endpoint."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body_examples = (
                operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("examples", {})
            )
            for name, example in body_examples.items():
                yield f"{method.upper()} {path} body {name}", method, path, {}, example["value"]
            for parameter in operation.get("parameters", []):
                for name, example in parameter.get("examples", {}).items():
                    yield (
                        f"{method.upper()} {path} {parameter['name']} {name}",
                        method,
                        path,
                        {parameter["name"]: example["value"], "in": parameter["in"]},
                        None,
                    )


def test_every_v1_endpoint_has_examples(schema):
    documented = {(method, path) for _, method, path, _, _ in _requests_from_examples(schema)}
    for path, operations in schema["paths"].items():
        if path.startswith("/v1/"):
            for method in operations:
                assert (method, path) in documented, f"{method.upper()} {path} has no example"


def test_every_documented_example_succeeds(client, schema):
    examples = list(_requests_from_examples(schema))
    assert len(examples) >= 6
    for label, method, path, parameter, body in examples:
        url, query = path, {}
        if parameter:
            where = parameter.pop("in")
            ((name, value),) = parameter.items()
            if where == "path":
                url = path.replace("{" + name + "}", str(value))
            else:
                query = {name: str(value).lower() if isinstance(value, bool) else value}
        url = url.replace("{question_id}", "fresher-01")
        response = client.request(method, url, params=query, json=body)
        assert 200 <= response.status_code < 300, f"{label}: {response.status_code} {response.text[:300]}"
        if path == "/v1/evaluations/batch":
            results = response.json()["results"]
            assert sum("error" in r for r in results) == 1, "the batch example shows exactly one failing item"
