"""django-filter for the API, with bad query parameters answered the house way."""
from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

from .pagination import BadQuery

#: A boolean query parameter's spellings (any case): true/false, and 1/0 as HTML forms and
#: many HTTP clients send them. Nothing else (yes/no, on/off, maybe) is guessed at.
TRUE_WORDS = ("true", "1")
FALSE_WORDS = ("false", "0")
BOOLEAN_WORDS = [*TRUE_WORDS, *FALSE_WORDS]


class StrictBooleanField(forms.Field):
    """True, False, or None when the parameter is absent or empty; any other value is an
    error naming the accepted spellings (django's NullBooleanField reads it as "not given")."""

    widget = forms.TextInput
    default_error_messages = {"invalid": "Use true or false (also 1 or 0); got %(value)r."}

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if not word:
            return None
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})


@extend_schema_field({"type": "string", "enum": BOOLEAN_WORDS})
class StrictBooleanFilter(django_filters.BooleanFilter):
    """Every boolean query parameter: ``true``/``false`` (any case) or ``1``/``0``; with
    ``QueryFilterBackend`` a bad value is a 400 naming the parameter, in the view's dialect."""

    field_class = StrictBooleanField


class QueryFilterBackend(DjangoFilterBackend):
    """django-filter, but a bad query parameter is a 400 that says what to fix (not a 422).
    ``BadQuery`` goes through the API's exception handler, so a Sendblue-dialect view
    answers it in the Sendblue error shape."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise BadQuery(
                "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
            )
        return filterset.qs
