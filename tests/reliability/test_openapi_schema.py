"""The OpenAPI schema says what the API does (issue 15, defect 6, and what schemathesis found)."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.cdr.factories import CdrFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema() -> dict:
    """The schema as /api/schema/ serves it (test_deploy validates it against OpenAPI)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def answer(schema: dict, path: str, method: str = "get", code: str = "200") -> dict:
    return resolve(schema, schema["paths"][path][method]["responses"][code]["content"]["application/json"]["schema"])


def test_monitoring_is_declared_as_the_page_it_returns(schema, ingest_client):
    declared = answer(schema, "/api/v1/monitoring/")
    assert declared["type"] == "object" and set(declared["properties"]) == {"next", "results"}
    assert declared["properties"]["results"]["type"] == "array"
    assert set(ingest_client.get("/api/v1/monitoring/").json()) == {"next", "results"}


def test_cdr_caller_and_callee_may_be_null(schema, operator_client):
    cdr = resolve(schema, {"$ref": "#/components/schemas/Cdr"})
    assert cdr["properties"]["caller"]["nullable"] and cdr["properties"]["callee"]["nullable"]
    CdrFactory(src="5550001", dst="5550002")
    row = operator_client.get("/api/v1/cdrs/").json()["results"][0]
    assert row["caller"] is None and row["callee"] is None


def test_every_operation_documents_its_refusals(schema):
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            wanted = {"401", "403"}
            if operation.get("parameters") or operation.get("requestBody"):
                wanted.add("400")
            if "{" in path:
                wanted.add("404")
            if not wanted <= codes:
                missing.append((method, path, sorted(wanted - codes)))
    assert missing == []
    error = answer(schema, "/api/v1/cdrs/", "post", "400")
    assert error["required"] == ["detail"] and error["properties"]["errors"]["type"] == "array"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/conferences/?participant_count_min=-1", "participant_count"),
        ("/api/v1/cdrs/?billsec_max=-5", "billsec"),
        ("/api/v1/cdrs/?duration_min=-2147483648", "duration"),
        ("/cdr/?billsec_min=-1", "billsec"),
    ],
)
def test_a_negative_count_or_duration_is_a_400_naming_it(operator_client, url, field):
    response = operator_client.get(url)
    assert response.status_code == 400
    assert field in response.content.decode() and "greater than or equal to 0" in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/audit/0.5/", "/api/v1/no-such-thing/", "/api/v1/cdrs/1/extra/"])
def test_an_unknown_api_path_is_a_json_404_even_for_a_token(ingest_client, path):
    response = ingest_client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json() == {"detail": "Not found."}


def test_a_deleted_count_past_bigint_is_a_400(ingest_client):
    item = {"event_id": "e-big", "timestamp": "2026-11-20T10:00:00Z", "event": "delete_logs", "deleted_count": 2**63}
    response = ingest_client.post("/api/v1/server-events/", [item], format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "deleted_count"
