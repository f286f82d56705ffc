from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from outreach.choices import Family

from .serializers import WhoAmISerializer


class AccountView(APIView):
    """The account and key behind the credentials: a cheap way to check a key works."""

    scope_family = Family.ACCOUNT

    @extend_schema(responses=WhoAmISerializer, tags=["account"])
    def get(self, request):
        key = request.auth
        return Response(WhoAmISerializer({"account": key.account, "api_key": key}).data)
