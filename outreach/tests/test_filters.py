"""The strict boolean filter as a drop-in for any API view, in either dialect."""
from __future__ import annotations

import django_filters
import pytest
from rest_framework import generics, serializers
from rest_framework.test import APIRequestFactory

from contacts.models import Contact
from outreach.api.filters import QueryFilterBackend, StrictBooleanFilter

pytestmark = pytest.mark.django_db


class OptedOutFilter(django_filters.FilterSet):
    opted_out = StrictBooleanFilter(field_name="opted_out_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Contact
        fields: list[str] = []


class ContactIds(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id"]


class ContactsView(generics.ListAPIView):
    queryset = Contact.objects.all()
    serializer_class = ContactIds
    filter_backends = [QueryFilterBackend]
    filterset_class = OptedOutFilter
    authentication_classes: list = []
    permission_classes: list = []
    pagination_class = None
    dialect = "v1"


def _view(dialect: str):
    return ContactsView.as_view(dialect=dialect)


def test_a_sendblue_dialect_view_answers_a_bad_boolean_in_its_own_shape():
    response = _view("sendblue")(APIRequestFactory().get("/x", {"opted_out": "maybe"}))
    assert response.status_code == 400
    assert response.data == {
        "status": "ERROR", "error_code": 4000,
        "error_message": "opted_out: Use true or false (also 1 or 0); got 'maybe'.",
    }


def test_a_v1_view_answers_a_bad_boolean_with_detail_and_a_good_one_filters(account):
    from contacts.tests.factories import ContactFactory

    ContactFactory(account=account, e164_number="+15551230001")
    response = _view("v1")(APIRequestFactory().get("/x", {"opted_out": "yes"}))
    assert response.status_code == 400 and response.data["detail"].startswith("opted_out: Use true or false")
    assert len(_view("v1")(APIRequestFactory().get("/x", {"opted_out": "0"})).data) == 1
    assert _view("v1")(APIRequestFactory().get("/x", {"opted_out": "TRUE"})).data == []
