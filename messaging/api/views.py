from drf_spectacular.utils import extend_schema
from rest_framework import generics

from messaging.models import Line
from outreach.api.base import AccountScoped
from outreach.choices import Family

from .serializers import LineSerializer


@extend_schema(tags=["lines"])
class LineList(AccountScoped, generics.ListAPIView):
    """The account's sending lines (use a line's ``number`` as ``from_number``)."""

    scope_family = Family.MESSAGES
    queryset = Line.objects.all()
    serializer_class = LineSerializer
