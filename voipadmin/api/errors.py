"""One error shape for the whole API: `{"detail": ..., "errors": [{"index", "field", "message"}]}`."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from voipadmin.reports.filters import FilterError


def flatten(detail, index: int | None = None, prefix: str = "") -> list[dict]:
    """DRF's nested error dict as a flat list naming each field (dotted for nested ones)."""
    out: list[dict] = []
    if isinstance(detail, dict):
        for name, value in detail.items():
            field = f"{prefix}.{name}" if prefix else str(name)
            if name == "non_field_errors":
                field = prefix or None
            out.extend(flatten(value, index, field or ""))
    elif isinstance(detail, list):
        if detail and all(not isinstance(item, dict | list) for item in detail):
            for message in detail:
                out.append({"index": index, "field": prefix or None, "message": str(message)})
        else:
            for position, value in enumerate(detail):
                out.extend(flatten(value, index, f"{prefix}[{position}]" if prefix else str(position)))
    else:
        out.append({"index": index, "field": prefix or None, "message": str(detail)})
    return out


def filter_error_response(error: FilterError) -> Response:
    errors = [
        {"index": None, "field": name, "message": message}
        for name, messages in error.errors.items()
        for message in messages
    ]
    return Response({"detail": "Invalid query.", "errors": errors}, status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc, context):
    if isinstance(exc, FilterError):
        return filter_error_response(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError) and not (isinstance(response.data, dict) and "errors" in response.data):
        response.data = {"detail": "Invalid request.", "errors": flatten(exc.detail)}
    return response


@login_not_required  # a machine client sends a token, which only DRF's views read
def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """A path under /api/v1/ that names no resource (or a row key the resource cannot have)."""
    return JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
