"""The one tree of domain errors. Each carries a stable code that the protocol returns.

DomainError
├── Forbidden          code "forbidden"       the actor's role may not do this
├── InvalidState       code "invalid_state"   not possible in the exercise's current state
├── NotFound           code "not_found"       a referenced participant, team ... does not exist
└── InvalidArguments   code "invalid_args"    a value is out of range or malformed
"""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused by the rules of the exercise. Nothing was written."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Forbidden(DomainError):
    code = "forbidden"


class InvalidState(DomainError):
    code = "invalid_state"


class NotFound(DomainError):
    code = "not_found"


class InvalidArguments(DomainError):
    code = "invalid_args"


ERROR_CODES: tuple[str, ...] = tuple(
    cls.code for cls in (Forbidden, InvalidState, NotFound, InvalidArguments)
)
