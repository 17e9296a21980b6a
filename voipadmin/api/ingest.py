"""The ingest conventions every push endpoint shares (DESIGN.md "API").

A body is a JSON list of items or one item. Every item is validated before anything is written;
any bad item rejects the whole batch with a 400 naming its index and field. The batch is stored in
one transaction by the app's service, which must make a repeated item a no-op (ON CONFLICT DO
NOTHING on the source id) and return how many rows it created.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from rest_framework import serializers, status
from rest_framework.response import Response

from .errors import flatten
from .lean import LeanReader

MAX_BATCH_ITEMS = getattr(settings, "INGEST_MAX_BATCH_ITEMS", 10000)
MAX_REPORTED_ERRORS = 100


class IngestItemError(Exception):
    """Raised by a service for an item that is well-formed but cannot be stored."""

    def __init__(self, index: int, field: str | None, message: str):
        self.index, self.field, self.message = index, field, message
        super().__init__(f"item {index}, {field}: {message}")


class BatchRejected(Exception):
    def __init__(self, errors: list[dict], detail: str = "The batch was rejected; nothing was stored."):
        self.errors = errors[:MAX_REPORTED_ERRORS]
        self.total = len(errors)
        self.detail = detail
        super().__init__(detail)

    def response(self) -> Response:
        body = {"detail": self.detail, "errors": self.errors}
        if self.total > len(self.errors):
            body["more_errors"] = self.total - len(self.errors)
        return Response(body, status=status.HTTP_400_BAD_REQUEST)


@dataclass(frozen=True)
class IngestResult:
    received: int
    created: int

    def as_dict(self) -> dict:
        return {"received": self.received, "created": self.created, "unchanged": self.received - self.created}


def batch_items(data) -> list:
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        if len(data) > MAX_BATCH_ITEMS:
            raise BatchRejected(
                [{"index": None, "field": None, "message": f"at most {MAX_BATCH_ITEMS} items per request"}]
            )
        return data
    raise BatchRejected(
        [{"index": None, "field": None, "message": "the body must be a JSON object or a list of objects"}]
    )


def validate_batch(serializer_class: type[serializers.Serializer], data, context: dict | None = None) -> list[dict]:
    """Every item's validated data, or BatchRejected naming each bad item's index and field.

    One serializer instance reads every item (as DRF's ListSerializer does: building one per item
    costs more than validating it), most of them through its LeanReader.
    """
    items = batch_items(data)
    serializer = serializer_class(context=context or {})
    lean = LeanReader(serializer)
    valid: list[dict] = []
    errors: list[dict] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append({"index": index, "field": None, "message": "each item must be a JSON object"})
            continue
        validated = lean.read(item)
        if validated is None:
            try:
                validated = serializer.run_validation(item)
            except serializers.ValidationError as error:
                errors.extend(flatten(error.detail, index))
                continue
        valid.append(validated)
    if errors:
        raise BatchRejected(errors)
    return valid


def ingest_batch(
    serializer_class: type[serializers.Serializer],
    store: Callable[..., int],
    data,
    context: dict | None = None,
) -> IngestResult:
    """Validate all, then store all in one transaction; raises BatchRejected on any bad item."""
    items = validate_batch(serializer_class, data, context)
    if not items:
        return IngestResult(received=0, created=0)
    try:
        with transaction.atomic():
            created = store(items=items)
    except IngestItemError as error:
        raise BatchRejected([{"index": error.index, "field": error.field, "message": error.message}]) from None
    return IngestResult(received=len(items), created=created)
