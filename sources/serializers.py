import datetime

from rest_framework import serializers

from voipadmin.api.fields import AwareDateTimeField

from .kamailio.facts import KamailioFactSerializer

__all__ = ["KamailioFactSerializer", "KamailioUsrlocSerializer"]


class UnixOrIsoTimeField(AwareDateTimeField):
    """A time given as ISO 8601 with an offset, or as Unix seconds (what the delivery process has)."""

    def to_internal_value(self, value):
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                value = datetime.datetime.fromtimestamp(value, tz=datetime.UTC).isoformat()
            except (OverflowError, OSError, ValueError):
                self.fail("invalid", format="Unix seconds or ISO 8601")
        return super().to_internal_value(value)


class KamailioUsrlocSerializer(serializers.Serializer):
    """Kamailio's `ul.dump` JSON-RPC result, as taken at `taken_at` by one registrar."""

    registrar = serializers.CharField(max_length=64)
    taken_at = UnixOrIsoTimeField()
    dump = serializers.DictField(help_text="The `result` of JSON-RPC `ul.dump` (Domains, AoRs, Contacts).")
