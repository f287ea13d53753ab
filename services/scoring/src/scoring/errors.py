"""What a use case refuses with: an unknown campaign or phase (404), a step already taken (409)."""
from __future__ import annotations


class Refused(Exception):
    """A request refused because of ``field``; ``message`` says why (the API answers with both)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class NotFound(Refused, LookupError):
    pass


class Conflict(Refused):
    pass
