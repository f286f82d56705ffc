"""v1 contacts and lists (seed 003). Views check shapes and call the services."""
from __future__ import annotations

from django.db.models import Count
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts import services, validation
from contacts.choices import OptOutSource
from contacts.filters import ContactFilter
from contacts.ingest import ingest
from contacts.models import Contact, ContactList
from outreach.api.base import AccountScoped
from outreach.api.filters import QueryFilterBackend
from outreach.choices import Family

from .serializers import (
    BatchResultSerializer,
    BatchSerializer,
    ContactListSerializer,
    ContactSerializer,
    ContactWriteSerializer,
    ErrorSerializer,
    MembershipResultSerializer,
    MembershipSerializer,
    OptStateSerializer,
)

#: Fields whose values the services judge (types are the serializer's).
VALUE_FIELDS = ("phone_number", "first_name", "last_name", "email", "company_name", "timezone", "tags",
                "custom_variables")

ERRORS = {
    404: OpenApiResponse(ErrorSerializer, description="Not found (or another account's)."),
    409: OpenApiResponse(ErrorSerializer, description="Another contact has this number."),
    422: OpenApiResponse(ErrorSerializer, description="Validation failed; `errors` says where."),
}


def _write_data(request, *, partial: bool) -> tuple[dict, list | None]:
    serializer = ContactWriteSerializer(data=request.data, partial=partial)
    if not serializer.is_valid():
        # Say every mistake at once: the values of the fields whose type was right, too.
        raise ValidationError({**serializer.errors, **_value_errors(request.data, serializer.errors)})
    data = dict(serializer.validated_data)
    # Values as sent (not DRF-coerced), so the services judge what the client wrote.
    for name in ("first_name", "last_name", "email", "company_name", "timezone", "phone_number"):
        if name in data:
            data[name] = request.data[name]
    return data, data.pop("list_ids", None)


def _value_errors(sent, type_errors) -> dict[str, list[str]]:
    judged = {k: sent[k] for k in VALUE_FIELDS if k in sent and k not in type_errors}
    return {k: [m] for k, m in validation.field_errors(judged, require_phone=False).items()}


class ContactsView(AccountScoped, generics.ListAPIView):
    scope_family = Family.CONTACTS
    queryset = Contact.objects.all()
    serializer_class = ContactSerializer
    filter_backends = [QueryFilterBackend]
    filterset_class = ContactFilter

    def get_queryset(self):
        return super().get_queryset().prefetch_related("lists")

    def get_serializer_class(self):
        return ContactWriteSerializer if self.request.method == "POST" else ContactSerializer

    @extend_schema(tags=["contacts"], responses=ContactSerializer(many=True))
    def get(self, request, *args, **kwargs):
        """A page of contacts; `search` matches name, email, company or phone in any format."""
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["contacts"], request=ContactWriteSerializer, responses={201: ContactSerializer, **ERRORS})
    def post(self, request):
        data, list_ids = _write_data(request, partial=False)
        contact = services.create_contact(self.account, data, list_ids=list_ids)
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


class ContactView(AccountScoped, generics.GenericAPIView):
    scope_family = Family.CONTACTS
    queryset = Contact.objects.prefetch_related("lists")
    serializer_class = ContactSerializer

    @extend_schema(tags=["contacts"], responses={200: ContactSerializer, 404: ERRORS[404]})
    def get(self, request, pk):
        return Response(ContactSerializer(self.get_object()).data)

    def _update(self, request):
        contact = self.get_object()
        data, list_ids = _write_data(request, partial=True)
        contact = services.update_contact(self.account, contact, data, list_ids=list_ids)
        contact = self.get_queryset().get(pk=contact.pk)
        return Response(ContactSerializer(contact).data)

    @extend_schema(tags=["contacts"], request=ContactWriteSerializer, responses={200: ContactSerializer, **ERRORS})
    def patch(self, request, pk):
        """Change only the fields sent."""
        return self._update(request)

    @extend_schema(tags=["contacts"], request=ContactWriteSerializer, responses={200: ContactSerializer, **ERRORS})
    def put(self, request, pk):
        """Same as PATCH: only the fields sent change (as seed 003 describes updates)."""
        return self._update(request)

    @extend_schema(tags=["contacts"], responses={204: None, 404: ERRORS[404]})
    def delete(self, request, pk):
        services.delete_contact(self.account, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class OptOutView(AccountScoped, generics.GenericAPIView):
    scope_family = Family.CONTACTS
    queryset = Contact.objects.all()
    serializer_class = OptStateSerializer

    @extend_schema(tags=["contacts"], request=None, responses={200: OptStateSerializer, 404: ERRORS[404]})
    def post(self, request, pk):
        """Stop every send to this contact until opt-in; emits `contact_opted_out`."""
        contact = services.opt_out(self.account, self.get_object(), source=OptOutSource.API)
        return Response(OptStateSerializer(contact).data)


class OptInView(OptOutView):
    @extend_schema(tags=["contacts"], request=None, responses={200: OptStateSerializer, 404: ERRORS[404]})
    def post(self, request, pk):
        """Allow sends to this contact again."""
        contact = services.opt_in(self.account, self.get_object(), source=OptOutSource.API)
        return Response(OptStateSerializer(contact).data)


class BatchView(APIView):
    scope_family = Family.CONTACTS

    @extend_schema(
        tags=["contacts"], request=BatchSerializer,
        responses={200: BatchResultSerializer, 422: ERRORS[422]},
    )
    def post(self, request):
        """Create up to 1,000 contacts. Numbers the account already has (or repeated in the
        request) are skipped; each bad row is reported in `error_details` with its index."""
        serializer = BatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        account = request.auth.account
        lists = services.resolve_lists(account, serializer.validated_data.get("list_ids"))
        result = ingest(account, serializer.validated_data["contacts"], lists=lists)
        return Response(
            {
                "total_submitted": result.submitted,
                "created": result.created,
                "duplicates_skipped": result.duplicates,
                "errors": len(result.errors),
                "error_details": [
                    {"index": e.index, "phone_number": e.phone_number, "reason": e.reason} for e in result.errors
                ],
            }
        )


class _ListBase(AccountScoped, generics.GenericAPIView):
    scope_family = Family.CONTACTS
    serializer_class = ContactListSerializer
    queryset = ContactList.objects.annotate(contact_count=Count("contacts")).order_by("name", "pk")


class ListsView(_ListBase):
    @extend_schema(tags=["lists"], responses=ContactListSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ContactListSerializer(page, many=True).data)

    @extend_schema(tags=["lists"], request=ContactListSerializer, responses={201: ContactListSerializer, 422: ERRORS[422]})
    def post(self, request):
        serializer = ContactListSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lst = services.create_list(self.account, dict(serializer.validated_data))
        return Response(ContactListSerializer(self.get_queryset().get(pk=lst.pk)).data, status=status.HTTP_201_CREATED)


class ListView(_ListBase):
    @extend_schema(tags=["lists"], responses={200: ContactListSerializer, 404: ERRORS[404]})
    def get(self, request, pk):
        return Response(ContactListSerializer(self.get_object()).data)

    def _update(self, request):
        lst = self.get_object()
        serializer = ContactListSerializer(lst, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_list(self.account, lst, dict(serializer.validated_data))
        return Response(ContactListSerializer(self.get_object()).data)

    @extend_schema(tags=["lists"], request=ContactListSerializer, responses={200: ContactListSerializer, **ERRORS})
    def patch(self, request, pk):
        return self._update(request)

    @extend_schema(tags=["lists"], request=ContactListSerializer, responses={200: ContactListSerializer, **ERRORS})
    def put(self, request, pk):
        """Same as PATCH: only the fields sent change."""
        return self._update(request)

    @extend_schema(tags=["lists"], responses={204: None, 404: ERRORS[404]})
    def delete(self, request, pk):
        """Delete the list; its contacts are kept."""
        services.delete_list(self.account, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListMembersView(AccountScoped, generics.GenericAPIView):
    scope_family = Family.CONTACTS
    serializer_class = MembershipSerializer
    queryset = ContactList.objects.all()

    def _change(self, request, verb):
        lst = self.get_object()
        serializer = MembershipSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changed = verb(self.account, lst, serializer.validated_data["contact_ids"])
        return Response({"list_id": lst.pk, "changed": changed, "contact_count": lst.contacts.count()})

    @extend_schema(tags=["lists"], request=MembershipSerializer, responses={200: MembershipResultSerializer, **ERRORS})
    def post(self, request, pk):
        """Add contacts (by id) to the list; ones already in it are left as they are."""
        return self._change(request, services.add_to_list)

    @extend_schema(tags=["lists"], request=MembershipSerializer, responses={200: MembershipResultSerializer, **ERRORS})
    def delete(self, request, pk):
        """Remove contacts (by id) from the list; the contacts themselves stay."""
        return self._change(request, services.remove_from_list)
