"""The OpenAPI document is served, complete, and validates real responses."""
import pytest
from django.test import Client

from outreach.testing import as_schemathesis_response, assert_matches_schema, openapi_schema

pytestmark = pytest.mark.django_db


def test_the_document_is_served_as_openapi_3():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    schemes = doc["components"]["securitySchemes"]
    assert {k: schemes["ApiKey"][k] for k in ("type", "in", "name")} == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert schemes["SendblueKeyId"]["name"] == "sb-api-key-id"
    assert "arnio" in schemes["ApiKey"]["description"]


def test_the_document_describes_arnio_paths_and_both_key_dialects():
    doc = Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/send-message", "/send-group-message"):
        ok = doc["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": "#/components/schemas/ArnioSendResponse"}
    schemas = doc["components"]["schemas"]
    assert schemas["ArnioStatusEnum"]["enum"] == ["QUEUED", "SENT", "DELIVERED", "READ", "FAILED"]
    # A /api/ response's words are the key's: the status says which words each dialect gets.
    ok = doc["paths"]["/api/send-message"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/SendblueSendResponse"}
    by_dialect = {one["title"]: one["enum"] for one in schemas["SendblueSendResponse"]["properties"]["status"]["anyOf"]}
    assert "ERROR" in by_dialect["sendblue"] and by_dialect["arnio"] == ["QUEUED", "SENT", "DELIVERED", "READ", "FAILED"]


def test_the_docs_page_loads_its_assets_locally():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist" in html
    assert "cdn" not in html.lower()


def test_a_real_response_matches_its_documented_shape(api):
    response = api.get("/api/v1/account")
    assert_matches_schema(response, "/api/v1/account")


def test_a_response_of_the_wrong_shape_is_caught(api):
    """The validator itself works: a lines page is not an account."""
    response = api.get("/api/v1/lines")
    with pytest.raises(AssertionError):
        openapi_schema()["/api/v1/account"]["GET"].validate_response(as_schemathesis_response(response))


def test_the_document_generates_without_warnings_and_validates(tmp_path):
    """Every endpoint documented, no operationId collisions, valid OpenAPI 3."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")
