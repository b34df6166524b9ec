"""GET /openapi.json: a valid OpenAPI 3.1 document, whose examples are the package's and whose
answers are what the service answers."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import yaml
from openapi_spec_validator import validate

from .conftest import EXAMPLES, Client


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A validator of ``schema`` that resolves ``#/components/schemas/…`` in the document."""
    return jsonschema.Draft202012Validator({**schema, "components": document["components"]},
                                           format_checker=jsonschema.FormatChecker())


def test_the_document_is_valid_openapi_31(server: Client) -> None:
    document = server.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_body_example_is_an_example_file_and_its_answer_the_service_s(server: Client) -> None:
    document = server.get("/openapi.json").json()
    posts = {path: item["post"] for path, item in document["paths"].items() if "post" in item}
    assert set(posts) == {"/evaluer", "/evaluer-epci", "/verifier-contrat", "/historique", "/lot"}
    for path, operation in posts.items():
        content = operation["requestBody"]["content"]
        if path == "/lot":
            example = content["text/csv"]["example"]
            assert example == (EXAMPLES / "communes_avec_erreurs.csv").read_text("utf-8")
            answer = server.request("POST", path, example, "text/csv", [("format", "json")])
            assert answer.text == operation["responses"]["200"]["content"]["application/x-ndjson"]["example"]
            continue
        example, schema = content["application/json"]["example"], content["application/json"]["schema"]
        assert content["application/yaml"]["example"] in {p.read_text("utf-8") for p in EXAMPLES.glob("*.yaml")}
        assert yaml.safe_load(content["application/yaml"]["example"]) is not None
        assert not list(_validator(document, schema).iter_errors(example)), path
        answer = server.post_json(path, example)
        assert answer.status == 200
        response = operation["responses"]["200"]["content"]["application/json"]
        assert answer.json() == response["example"]
        assert not list(_validator(document, response["schema"]).iter_errors(answer.json())), path


def test_every_documented_get_answers(server: Client) -> None:
    document = server.get("/openapi.json").json()
    for path, item in document["paths"].items():
        if "get" not in item:
            continue
        query = [(p["name"], str(p["example"])) for p in item["get"]["parameters"]
                 if p["in"] == "query" and p.get("required")]
        concrete = path
        for parameter in item["get"]["parameters"]:
            if parameter["in"] == "path":
                concrete = concrete.replace("{" + parameter["name"] + "}", parameter["example"])
        if path == "/citation":
            query.append(("periode", "2023-2025"))
        answer = server.get(concrete, query)
        assert answer.status in (200, 303), (path, answer.text[:200])
        media = next(iter(item["get"]["responses"]["200"]["content"])) if "200" in item["get"]["responses"] else None
        if answer.status == 200 and media == "application/json" and "$ref" in json.dumps(
                item["get"]["responses"]["200"]["content"][media]["schema"]):
            schema = item["get"]["responses"]["200"]["content"][media]["schema"]
            assert not list(_validator(document, schema).iter_errors(answer.json())), path
