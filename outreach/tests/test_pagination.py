"""Both pagination shapes, over HTTP."""
import pytest
from django.urls import path
from rest_framework import generics

from messaging.api.serializers import LineSerializer
from messaging.models import Line
from messaging.services import add_line
from outreach.api.base import AccountScoped
from outreach.api.pagination import SendbluePagination
from outreach.testing import assert_matches_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(account, other_account):
    for i in range(7):
        add_line(account, f"+1555000{1000 + i}")
    add_line(other_account, "+15559990000")


def test_v1_shape(api, lines):
    response = api.get("/api/v1/lines", {"page": 2, "per_page": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 7 and body["page"] == 2 and body["per_page"] == 3 and body["pages"] == 3
    assert [i["number"] for i in body["items"]] == ["+15550001003", "+15550001004", "+15550001005"]
    assert_matches_schema(response, "/api/v1/lines")


def test_v1_defaults_and_a_page_past_the_end(api, lines):
    body = api.get("/api/v1/lines").json()
    assert body["per_page"] == 25 and body["pages"] == 1 and len(body["items"]) == 7
    body = api.get("/api/v1/lines", {"page": 9}).json()
    assert body["items"] == [] and body["total"] == 7


@pytest.mark.parametrize("params,fragment", [
    ({"per_page": 101}, "per_page must be between 1 and 100"),
    ({"per_page": 0}, "per_page must be between 1 and 100"),
    ({"page": "two"}, "page must be a whole number"),
])
def test_v1_bad_paging_is_a_400_that_says_what_to_fix(api, lines, params, fragment):
    response = api.get("/api/v1/lines", params)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_other_accounts_rows_are_never_listed(api, lines):
    numbers = [i["number"] for i in api.get("/api/v1/lines").json()["items"]]
    assert "+15559990000" not in numbers


class SendblueLines(AccountScoped, generics.ListAPIView):
    scope_family = "messages"
    dialect = "sendblue"
    queryset = Line.objects.all()
    serializer_class = LineSerializer
    pagination_class = SendbluePagination


urlpatterns = [path("api/test-sendblue-lines", SendblueLines.as_view())]


@pytest.mark.urls("outreach.tests.test_pagination")
def test_sendblue_shape(api, lines):
    body = api.get("/api/test-sendblue-lines", {"limit": 5, "offset": 5}).json()
    assert body["status"] == "OK"
    assert body["pagination"] == {"hasMore": False, "limit": 5, "offset": 5, "total": 7}
    assert len(body["data"]) == 2
    body = api.get("/api/test-sendblue-lines", {"limit": 5}).json()
    assert body["pagination"]["hasMore"] is True and len(body["data"]) == 5


@pytest.mark.urls("outreach.tests.test_pagination")
def test_sendblue_errors_use_the_sendblue_shape(api, lines):
    response = api.get("/api/test-sendblue-lines", {"limit": "lots"})
    assert response.status_code == 400
    assert response.json() == {
        "status": "ERROR", "error_code": 4000, "error_message": "limit must be a whole number, got 'lots'."
    }
