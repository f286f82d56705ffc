"""django-filter for the API, with bad query parameters answered the house way."""
from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend

from .pagination import BadQuery


class QueryFilterBackend(DjangoFilterBackend):
    """django-filter, but a bad query parameter is a 400 that says what to fix (not a 422)."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise BadQuery(
                "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
            )
        return filterset.qs
