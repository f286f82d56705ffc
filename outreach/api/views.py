from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from outreach.audit import record
from outreach.choices import AuditAction, Family
from outreach.models import Account
from outreach.services import set_retention

from .serializers import RetentionSerializer, WhoAmISerializer


class AccountView(APIView):
    """The account and key behind the credentials: a cheap way to check a key works."""

    scope_family = Family.ACCOUNT

    @extend_schema(responses=WhoAmISerializer, tags=["account"])
    def get(self, request):
        key = request.auth
        return Response(WhoAmISerializer({"account": key.account, "api_key": key}).data)


class RetentionView(APIView):
    """The account's data retention (docs/api.md, "Data retention"). Any key reads it; a
    full-access key changes it."""

    scope_family = Family.ACCOUNT

    @extend_schema(responses=RetentionSerializer, tags=["account"])
    def get(self, request):
        # Fresh: the key's cached account may be up to a minute old.
        return Response(RetentionSerializer(Account.objects.get(pk=request.auth.account_id)).data)

    @extend_schema(request=RetentionSerializer, responses=RetentionSerializer, tags=["account"])
    def patch(self, request):
        if not isinstance(request.data, dict):
            raise ParseError("The body must be a JSON object of retention settings.")
        serializer = RetentionSerializer(data=request.data, partial=True)
        errors = {} if serializer.is_valid() else dict(serializer.errors)
        for name in sorted(set(request.data) - set(serializer.fields)):
            errors[name] = [f"Unknown field; the retention settings are {', '.join(serializer.fields)}."]
        if errors:
            raise ValidationError(errors)
        account = Account.objects.get(pk=request.auth.account_id)
        set_retention(account, **serializer.validated_data)
        if serializer.validated_data:
            record(account, None, AuditAction.RETENTION_CHANGED, account,
                   detail={"api_key": request.auth.key_id, **serializer.validated_data})
        return Response(RetentionSerializer(account).data)
