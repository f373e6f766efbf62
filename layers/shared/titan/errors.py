"""Errors the API turns into ``application/problem+json`` (RFC 9457) with a stable code.

Raise a ``Problem`` (or a subclass) from domain or handler code; ``titan.api`` renders it as::

    {"type": "https://titan.commerce/problems/out-of-stock", "title": "Out of stock",
     "status": 409, "code": "OUT_OF_STOCK", "detail": "...", ...extra members}

``code`` is the contract clients program against; ``title`` and ``detail`` are for people.
"""

from __future__ import annotations

from typing import Any

PROBLEM_BASE = "https://titan.commerce/problems/"


class Problem(Exception):
    """A caller-visible failure: HTTP ``status``, stable ``code``, human ``title``/``detail``,
    optional ``extra`` members (JSON-serialisable) and response ``headers``."""

    status = 400
    code = "BAD_REQUEST"
    title = "Bad request"

    def __init__(
        self,
        detail: str = "",
        *,
        status: int | None = None,
        code: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title or self.title)
        self.status = status or self.status
        self.code = code or self.code
        self.title = title or self.title
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra

    @classmethod
    def from_body(cls, document: dict[str, Any]) -> Problem:
        """The ``Problem`` a problem+json ``document`` (from ``body()``) describes."""
        extra = {
            k: v
            for k, v in document.items()
            if k not in ("type", "title", "status", "code", "detail")
        }
        return cls(
            document.get("detail", ""),
            status=int(document["status"]),
            code=document["code"],
            title=document.get("title"),
            **extra,
        )

    def body(self) -> dict[str, Any]:
        """The problem+json document."""
        document = {
            "type": PROBLEM_BASE + self.code.lower().replace("_", "-"),
            "title": self.title,
            "status": self.status,
            "code": self.code,
        }
        if self.detail:
            document["detail"] = self.detail
        document.update(self.extra)
        return document


class BadRequest(Problem):
    status, code, title = 400, "BAD_REQUEST", "Bad request"


class Unauthorized(Problem):
    status, code, title = 401, "UNAUTHORIZED", "Authentication required"


class Forbidden(Problem):
    status, code, title = 403, "FORBIDDEN", "Not allowed"


class NotFound(Problem):
    status, code, title = 404, "NOT_FOUND", "Not found"


class Conflict(Problem):
    status, code, title = 409, "CONFLICT", "Conflict"


class Unprocessable(Problem):
    status, code, title = 422, "VALIDATION_FAILED", "The request is not valid"


class FieldRefused(ValueError):
    """A domain rule refused a field of a request's body: ``code`` (stable) and ``field`` (its
    dotted path, ``bank.account``). Domain code raises it knowing nothing of HTTP; the API
    answers ``problem()``."""

    def __init__(self, message: str, code: str, field: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field

    def problem(self) -> Unprocessable:
        """The 422 naming the field, in the shape request validation's errors have."""
        message = str(self)
        return Unprocessable(
            message,
            code=self.code,
            errors=[{"location": f"body.{self.field}", "message": message, "type": self.code}],
        )


class TooManyRequests(Problem):
    status, code, title = 429, "RATE_LIMITED", "Too many requests"


class InternalError(Problem):
    """Our fault, never the caller's: the detail says nothing about internals."""

    status, code, title = 500, "INTERNAL_ERROR", "Internal error"

    def __init__(self) -> None:
        super().__init__("An unexpected error occurred.")
