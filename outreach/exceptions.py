"""One exception root for the services. API views translate these into each dialect.

Each error carries the HTTP status it means and the Sendblue ``error_code`` (seed 001:
4000 validation, 4001 rate limit, 4002 blacklisted number, 5000 internal).
"""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError


class OutreachError(Exception):
    status_code = 400
    error_code = 4000

    def __init__(self, message: str, *, field: str | None = None, error_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if error_code is not None:
            self.error_code = error_code

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """Field -> messages: every field the error names (the API's ``errors``)."""
        return {self.field: [self.message]} if self.field else {}


class InvalidInput(OutreachError, DjangoValidationError):
    """Input a service refused; the message says what to fix."""

    status_code = 422

    def __init__(self, message: str, *, field: str | None = None, error_code: int | None = None):
        OutreachError.__init__(self, message, field=field, error_code=error_code)
        DjangoValidationError.__init__(self, message)
        self._many: dict[str, list[str]] | None = None

    @classmethod
    def of_fields(cls, errors: dict[str, str]) -> InvalidInput:
        """Several fields refused at once: ``field`` is the first, ``message`` says them all."""
        (field, message), *rest = errors.items()
        exc = cls("; ".join(errors.values()) if rest else message, field=field)
        exc._many = {name: [text] for name, text in errors.items()}
        return exc

    @property
    def field_errors(self) -> dict[str, list[str]]:
        return self._many or super().field_errors


class Conflict(OutreachError):
    """The object is not in a state that allows this action."""

    status_code = 409


class NotFound(OutreachError):
    status_code = 404
