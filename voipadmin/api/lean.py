"""A lean reading of ingest items: the serializer's own rules, without DRF's per-field machinery.

DRF spends most of an ingest batch on machinery (bound fields, validator lists, error plumbing), not
on the rules. For the field types push endpoints use, `LeanReader` reads a value in its canonical
JSON form (a string for text, a time with an offset, an int for a number, a bool) straight; then
the serializer's own `validate_<field>` methods and `validate()` run as DRF would run them. Whatever
else it meets (a number sent as a string, a naive time, an IPv6 address, a field type it does not
know, any doubt at all) it leaves to the serializer: it answers None and the item goes through DRF,
which also words every error. So an item's validated data never depends on the path it took.
"""

import datetime
import re
import sys
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from rest_framework import ISO_8601, fields, serializers
from rest_framework.fields import SkipField, empty
from rest_framework.settings import api_settings
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from .fields import AwareDateTimeField, IngestDateTimeField, UpperChoiceField, ingest_time_window

DOUBT = object()
SKIP = object()  # left out, without a default: absent from the validated data, as with DRF
fromisoformat = datetime.datetime.fromisoformat
# Dotted-quad IPv4 without leading zeros: what ipaddress.IPv4Address (and so the field) accepts, a subset.
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}\Z")
Read = Callable[[Any], Any]  # a present, non-null JSON value -> internal value, or DOUBT
TEXT_VALIDATORS = (
    MaxLengthValidator,
    MinLengthValidator,
    ProhibitNullCharactersValidator,
    ProhibitSurrogateCharactersValidator,
)
NUMBER_VALIDATORS = (MaxValueValidator, MinValueValidator)


def _text(field: fields.CharField) -> Read:
    trim, blank = field.trim_whitespace, field.allow_blank
    longest = field.max_length if field.max_length is not None else sys.maxsize
    shortest = field.min_length or 0

    def read(value):
        if type(value) is not str:
            return DOUBT
        if trim:
            value = value.strip()
        if value == "":
            return "" if blank else DOUBT
        if not shortest <= len(value) <= longest or "\x00" in value:
            return DOUBT
        if not value.isascii():
            try:
                value.encode("utf-8")  # a lone surrogate cannot be encoded
            except UnicodeEncodeError:
                return DOUBT
        return value

    return read


def _integer(field: fields.IntegerField) -> Read:
    low, high = field.min_value, field.max_value

    def read(value):
        if type(value) is not int or (low is not None and value < low) or (high is not None and value > high):
            return DOUBT
        return value

    return read


def _datetime(field: fields.DateTimeField) -> Read:
    # The field's zone, or the current one (fixed for the request the reader serves).
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    # The ingest window as it stands now: the field, asked later, allows at least as much.
    earliest, latest = ingest_time_window() if isinstance(field, IngestDateTimeField) else (None, None)

    def read(value):
        if zone is None or type(value) is not str or value != value.strip():
            return DOUBT
        try:
            parsed = fromisoformat(value)  # what parse_datetime tries first; its other forms go to the field
        except ValueError:
            return DOUBT
        if parsed.tzinfo is None:
            return DOUBT  # a naive time is made aware (or refused) by the field itself
        if earliest is not None and not earliest <= parsed <= latest:
            return DOUBT  # the field words the refusal
        try:
            return parsed.astimezone(zone)
        except OverflowError:
            return DOUBT

    return read


def _choice(field: fields.ChoiceField, upper: bool = False) -> Read:
    choices, blank = field.choice_strings_to_values, field.allow_blank

    def read(value):
        if type(value) is not str:
            return DOUBT
        if upper:
            value = value.strip().upper()
        if value == "" and blank:
            return ""
        return choices.get(value, DOUBT)

    return read


def _ip_address(field: fields.IPAddressField) -> Read:
    text = _text(field)

    def read(value):
        if type(value) is not str or ":" in value:
            return DOUBT  # IPv6 is normalised by the field
        value = text(value)
        if value is DOUBT or not IPV4.match(value):
            return DOUBT
        return value

    return read


def _boolean(field: fields.BooleanField) -> Read:
    return lambda value: value if type(value) is bool else DOUBT


# Exact classes only (a subclass may read its value differently), with the validators they may carry.
READERS: dict[type, tuple[Callable[[Any], Read], tuple[type, ...]]] = {
    fields.CharField: (_text, TEXT_VALIDATORS),
    fields.IntegerField: (_integer, NUMBER_VALIDATORS),
    fields.DateTimeField: (_datetime, ()),
    IngestDateTimeField: (_datetime, ()),  # inside its window only
    AwareDateTimeField: (_datetime, ()),  # only aware times are read here: its naive check holds
    fields.ChoiceField: (_choice, ()),
    UpperChoiceField: (lambda field: _choice(field, upper=True), ()),
    fields.BooleanField: (_boolean, ()),
}


def _reader(field: fields.Field) -> Read | None:
    """The lean reading of the field, or None when only the field itself can read it."""
    if type(field) is fields.IPAddressField:
        # its validators are the text ones and the address check, which IPv4Address makes
        return _ip_address(field) if field.protocol in ("both", "ipv4") else None
    known = READERS.get(type(field))
    if known is None:
        return None
    make, allowed = known
    formats = getattr(field, "input_formats", api_settings.DATETIME_INPUT_FORMATS)
    if isinstance(field, fields.DateTimeField) and list(formats) != [ISO_8601]:
        return None
    if any(not isinstance(validator, allowed) for validator in field.validators):
        return None
    return make(field)


def _take(name: str, field: fields.Field, read: Read | None) -> Callable[[dict], Any]:
    """item -> what DRF's `field.run_validation(item.get(name, empty))` gives, DOUBT where unsure,
    SKIP where DRF raises SkipField."""
    if read is None:

        def by_field(item):
            try:
                return field.run_validation(item.get(name, empty))
            except SkipField:
                return SKIP
            except (serializers.ValidationError, DjangoValidationError):
                return DOUBT

        return by_field
    required, allow_null = field.required, field.allow_null

    def take(item):
        raw = item.get(name, empty)
        if raw is empty:
            if required:
                return DOUBT
            try:
                return field.get_default()
            except SkipField:
                return SKIP
        if raw is None:
            return None if allow_null else DOUBT
        return read(raw)

    return take


# A serializer that reads items its own way is always read by itself.
STANDARD = ("to_internal_value", "run_validation", "validate_empty_values", "run_validators")


class LeanReader:
    """Reads items for one serializer instance (whose `validate_<field>` and `validate` it runs)."""

    def __init__(self, serializer: serializers.Serializer):
        self.serializer = serializer
        self.plan = []
        self.usable = not serializer.validators and all(
            getattr(type(serializer), name) is getattr(serializers.Serializer, name) for name in STANDARD
        )
        for field in serializer._writable_fields:
            if len(field.source_attrs) != 1:
                self.usable = False  # source="*" or a dotted source: DRF nests the value
                continue
            method = getattr(serializer, f"validate_{field.field_name}", None)
            self.plan.append((field.source_attrs[0], _take(field.field_name, field, _reader(field)), method))

    def read(self, item: dict) -> dict | None:
        """The validated data of the item, or None: let the serializer read it (and word the errors)."""
        if not self.usable:
            return None
        data: dict = {}
        try:
            for source, take, method in self.plan:
                value = take(item)
                if value is DOUBT:
                    return None
                if value is not SKIP:
                    data[source] = value if method is None else method(value)
            return self.serializer.validate(data)
        except (serializers.ValidationError, DjangoValidationError):
            return None
