"""Domain errors: each carries its HTTP status, so one API handler renders them all."""

from __future__ import annotations


class DomainError(Exception):
    """A refused request: the message names the field (when there is one) and the rule."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        self.message = f"{field}: {message}" if field else message
        super().__init__(self.message)

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries besides the status and the detail."""
        return {}

    @classmethod
    def from_message(cls, message: str) -> DomainError:
        """Rebuilds an error of this kind from its rendered message (e.g. after a workflow)."""
        error = cls.__new__(cls)
        DomainError.__init__(error, message)
        return error


class BadRequest(DomainError):
    status_code = 400


class Unauthorized(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404

    def __init__(self, what: str) -> None:
        # Another cluster's object answers exactly like a missing id: the same words.
        super().__init__(f"{what} not found")


class Conflict(DomainError):
    status_code = 409


class Gone(DomainError):
    status_code = 410


class RuleViolation(DomainError):
    """A well-formed request that a business rule refuses."""

    status_code = 422


class TooManyRequests(DomainError):
    """A rate limit refused the request; the caller may retry after `retry_after` seconds."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class Unavailable(DomainError):
    """A part the request needs is away for now; the caller may retry shortly."""

    status_code = 503
    retry_after = 5

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
