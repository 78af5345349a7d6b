"""Domain errors, raised by actions and mapped to HTTP answers in one place
(``northstar.api`` for the API, ``core.middleware.DomainErrorMiddleware`` for pages)."""


class DomainError(Exception):
    """Input that breaks a business rule: answered 422 naming the field."""

    status = 422

    def __init__(self, message: str, field: str | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra

    def as_dict(self) -> dict:
        body = {"detail": self.message}
        if self.field:
            body["field"] = self.field
        body.update(self.extra)
        return body


class NotFound(DomainError):
    """Absent, or outside what the asker may see: the two look the same."""

    status = 404

    def __init__(self, message: str = "Not found", **extra):
        super().__init__(message, None, **extra)


class Forbidden(DomainError):
    """The asker may see the record but not do this to it."""

    status = 403


class Conflict(DomainError):
    """A write based on a stale version, or a transition not allowed from the current state."""

    status = 409


class TooLarge(DomainError):
    """A file or body over the size the platform accepts: answered 413 naming the field."""

    status = 413
