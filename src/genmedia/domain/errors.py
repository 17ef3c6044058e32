"""Domain errors: one root, and one subclass per rule that can be broken."""

from __future__ import annotations


class DomainError(Exception):
    """Root of every error the domain raises."""

    code = "domain_error"

    def field_errors(self) -> list[FieldError]:
        """The field-level errors this error carries (none by default)."""
        return []


class FieldError(DomainError):
    """An error about one named input field."""

    code = "validation_error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def field_errors(self) -> list[FieldError]:
        """This error alone."""
        return [self]


class InvalidInput(DomainError):
    """Several field errors found together in one input."""

    code = "validation_error"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = list(errors)

    def field_errors(self) -> list[FieldError]:
        """Every field error, in the order found."""
        return list(self.errors)


def raise_collected(errors: list[FieldError]) -> None:
    """Raise nothing, the single error, or all of them together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InvalidInput(errors)


class IllegalTransition(FieldError):
    """A status change the state machine does not allow."""

    code = "conflict"

    def __init__(self, entity: str, current: str, target: str) -> None:
        super().__init__("status", f"{entity} cannot go from {current} to {target}")
        self.entity = entity
        self.current = current
        self.target = target


class UnknownOption(FieldError):
    """A selected option group or value the template does not offer."""


class MissingRequiredOption(FieldError):
    """A required option group left without a choice."""


class TooManyOptions(FieldError):
    """Several values chosen in a single-choice group."""


class InvalidParam(FieldError):
    """A provider parameter outside the model's schema or limits."""


class MissingImageSlot(FieldError):
    """A required image slot with too few attachments."""


class InvalidAttachment(FieldError):
    """An attachment that does not fit its slot: unknown slot, too many, wrong owner."""


class InvalidPrompt(FieldError):
    """A prompt that is missing, too long or not allowed."""


class InvalidValue(FieldError):
    """A plain field with a value outside its rules."""


class TooManyPixels(InvalidValue):
    """An image whose header announces more pixels than may be decoded (a decompression bomb)."""

    def __init__(self, width: int, height: int, limit: int) -> None:
        super().__init__(
            "file", f"the image is {width}×{height} pixels; at most {limit} pixels are accepted"
        )
        self.width = width
        self.height = height
        self.limit = limit


class UnsupportedMedia(DomainError):
    """Bytes that are not an image of a supported format."""

    code = "unsupported_media_type"


class PayloadTooLarge(DomainError):
    """An upload larger than the limit, refused while it was still arriving."""

    code = "payload_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"the file is larger than {limit} bytes")
        self.limit = limit


class NotFound(DomainError):
    """The object does not exist, or is not visible to the caller."""

    code = "not_found"

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class AlreadyExists(DomainError):
    """An object with the same unique key already exists."""

    code = "conflict"

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key!r} already exists")
        self.kind = kind
        self.key = key


class InUse(DomainError):
    """An object that others still refer to, so it cannot be removed."""

    code = "conflict"

    def __init__(self, kind: str, key: object, users: str) -> None:
        super().__init__(f"{kind} {key!r} is still used by {users}")
        self.kind = kind
        self.key = key


class NothingToCancel(DomainError):
    """A cancel found no job that could still be cancelled."""

    code = "conflict"


class InsufficientCredits(DomainError):
    """The wallet's available credits do not cover the amount."""

    code = "insufficient_credits"

    def __init__(self, needed: int, available: int) -> None:
        super().__init__(f"needs {needed} credits, {available} available")
        self.needed = needed
        self.available = available


class IdempotencyConflict(DomainError):
    """A reference already applied with different content."""

    code = "conflict"

    def __init__(self, reference_id: str) -> None:
        super().__init__(f"reference {reference_id!r} was already used with different content")
        self.reference_id = reference_id


class AlreadyUsed(DomainError):
    """A code, hold or payment that can be used once was used already."""

    code = "conflict"


class Expired(DomainError):
    """A code or offer past its validity."""

    code = "conflict"


class InvalidSignature(DomainError):
    """A notification (of a payment, or a provider's webhook) whose signature, secret or
    timestamp does not check out."""

    code = "unauthorized"


class UnknownPayment(DomainError):
    """An authentic notification about a payment that is not ours (an unknown reference),
    or not of this provider: it changes nothing."""

    code = "malformed"


class ChargeNotPaidYet(DomainError):
    """A refund of a charge whose payment has not been confirmed yet: refused, so that the
    provider delivers it again once the payment is."""

    code = "conflict"


class InvalidCredentials(DomainError):
    """A login that does not match an active user: the same error whatever the reason."""

    code = "unauthorized"

    def __init__(self) -> None:
        super().__init__("the e-mail or the password is wrong")


class TooManyAttempts(DomainError):
    """Too many tries in a short time; `retry_after` seconds until the next is allowed."""

    code = "rate_limited"

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many attempts; try again in {retry_after:.0f} seconds")
        self.retry_after = retry_after


class InvalidToken(DomainError):
    """A bearer token that is unknown, expired, revoked, or whose user is inactive."""

    code = "unauthorized"

    def __init__(self) -> None:
        super().__init__("the token is missing, expired or revoked")
