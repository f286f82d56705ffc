"""The two pagination shapes.

- v1 (seed 003): ``?page=&per_page=`` -> ``{items, total, page, per_page, pages}``.
  ``per_page`` defaults to 25 and is capped at ``API_MAX_PAGE_SIZE`` (100). A page past
  the end is an empty ``items`` list, not an error.
- Sendblue (seed 002): ``?limit=&offset=`` ->
  ``{status: "OK", data, pagination: {hasMore, limit, offset, total}}``.

``page`` is at most ``MAX_PAGE`` and ``offset`` at most ``MAX_OFFSET`` (400 past them):
a row offset must fit PostgreSQL's bigint, and no list is that long.
"""
from __future__ import annotations

import math

from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import APIException
from rest_framework.response import Response

#: Largest ``offset`` (Sendblue lists) and ``page`` (v1 lists) a client may ask for.
MAX_OFFSET = 1_000_000_000
MAX_PAGE = 10_000_000


class BadQuery(APIException):
    status_code = 400
    default_detail = "Bad query parameter."
    default_code = "bad_query"


def int_param(request, name: str, default: int, *, minimum: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadQuery(f"{name} must be a whole number, got {raw!r}.") from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise BadQuery(f"{name} must be {bounds}, got {value}.")
    return value


class PagePagination(pagination.BasePagination):
    page_query_param = "page"
    page_size_query_param = "per_page"
    default_page_size = 25

    def paginate_queryset(self, queryset, request, view=None):
        self.page = int_param(request, self.page_query_param, 1, minimum=1, maximum=MAX_PAGE)
        self.per_page = int_param(
            request,
            self.page_size_query_param,
            self.default_page_size,
            minimum=1,
            maximum=settings.API_MAX_PAGE_SIZE,
        )
        self.total = queryset.count()
        start = (self.page - 1) * self.per_page
        return list(queryset[start : start + self.per_page]) if start < self.total else []

    def get_paginated_response(self, data):
        return Response(
            {
                "items": data,
                "total": self.total,
                "page": self.page,
                "per_page": self.per_page,
                "pages": math.ceil(self.total / self.per_page) if self.total else 0,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["items", "total", "page", "per_page", "pages"],
            "properties": {
                "items": schema,
                "total": {"type": "integer", "example": 150},
                "page": {"type": "integer", "example": 1},
                "per_page": {"type": "integer", "example": 25},
                "pages": {"type": "integer", "example": 6},
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "in": "query",
                "required": False,
                "description": f"Page number, from 1 (default 1, at most {MAX_PAGE:,}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Items per page (default {self.default_page_size}, "
                f"at most {settings.API_MAX_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE},
            },
        ]


class LimitPagePagination(PagePagination):
    """Seed 004's message list: ``?page=&limit=`` (default 20, 1-100), same envelope."""

    page_size_query_param = "limit"
    default_page_size = 20


class SendbluePagination(pagination.BasePagination):
    default_limit = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.limit = int_param(
            request, "limit", self.default_limit, minimum=1, maximum=settings.API_MAX_PAGE_SIZE
        )
        self.offset = int_param(request, "offset", 0, minimum=0, maximum=MAX_OFFSET)
        self.total = queryset.count()
        return list(queryset[self.offset : self.offset + self.limit])

    def get_paginated_response(self, data):
        return Response(
            {
                "status": "OK",
                "data": data,
                "pagination": {
                    "hasMore": self.offset + len(data) < self.total,
                    "limit": self.limit,
                    "offset": self.offset,
                    "total": self.total,
                },
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["status", "data", "pagination"],
            "properties": {
                "status": {"type": "string", "example": "OK"},
                "data": schema,
                "pagination": {
                    "type": "object",
                    "required": ["hasMore", "limit", "offset", "total"],
                    "properties": {
                        "hasMore": {"type": "boolean"},
                        "limit": {"type": "integer"},
                        "offset": {"type": "integer"},
                        "total": {"type": "integer"},
                    },
                },
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": f"Items to return (default {self.default_limit}, at most "
                f"{settings.API_MAX_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE},
            },
            {
                "name": "offset",
                "in": "query",
                "required": False,
                "description": f"Items to skip (default 0, at most {MAX_OFFSET:,}).",
                "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
            },
        ]
