"""What a use case refuses with: an unknown campaign or phase (404), a step already taken (409)."""
from __future__ import annotations


class NotFound(LookupError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Conflict(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
