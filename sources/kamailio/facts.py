"""Kamailio's raw facts (rows of its outbox, integrations/kamailio/) as the API's items.

Kamailio's script only records what it saw; every rule of how a fact becomes a binding, a SIP
event or a call lives here, in tested Python. Each item gets a source id derived from the fact
itself (its registrar, kind, time and SIP identity), so the same row delivered twice is the same
item and the ingest services store it once.
"""

import datetime
import hashlib
import re
from decimal import Decimal, InvalidOperation

from rest_framework import serializers

KINDS = (
    "register",
    "unregister",
    "expired",
    "auth_failed",
    "connect",
    "disconnect",
    "network_error",
    "invite",
    "ringing",
    "answered",
    "failed",
    "bye",
)
CALL_KINDS = {"invite", "ringing", "answered", "failed", "bye"}
CONNECTION_EVENTS = {"connect": "CONNECT", "disconnect": "DISCONNECT", "network_error": "NETWORK_ERROR"}
# Source ids are at most 64 characters (DESIGN.md); a CDR's uniqueid at most 150.
MAX_UNIQUEID = 150

# A SIP URI's host, port and transport parameter: sip:user@host:port;transport=tcp
URI = re.compile(
    r"^sips?:(?:[^@;>]*@)?(?P<host>\[[^\]]+\]|[^:;>?]+)(?::(?P<port>\d+))?(?P<params>;[^>?]*)?", re.IGNORECASE
)


def _text(limit: int = 512) -> serializers.CharField:
    return serializers.CharField(max_length=limit, required=False, allow_blank=True, default="", trim_whitespace=False)


class KamailioFactSerializer(serializers.Serializer):
    """One outbox row (integrations/kamailio/outbox.sql) as the delivery process posts it."""

    registrar = serializers.CharField(max_length=64)
    kind = serializers.ChoiceField(choices=[(kind, kind) for kind in KINDS])
    at = serializers.CharField(max_length=32, help_text="Unix time with microseconds, as Kamailio's $TV(Sn).")
    outbox_id = serializers.IntegerField(required=False, min_value=1)
    call_id = _text(1024)
    cseq = _text(64)
    username = _text(255)
    contact = _text(4096)
    expires = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    remote_ip = _text(64)
    remote_port = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=65535)
    transport = _text(8)
    received = _text(512)
    user_agent = _text(1024)
    sip_code = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=100, max_value=699)
    caller = _text(255)
    callee = _text(255)
    details = _text(4096)

    def validate_at(self, value: str) -> str:
        try:
            seconds = Decimal(value)
        except InvalidOperation:
            raise serializers.ValidationError("a Unix time in seconds, e.g. 1764756000.123456.") from None
        if not seconds.is_finite() or not 946684800 <= seconds <= 32503680000:
            raise serializers.ValidationError("the time must lie between 2000 and 3000.")
        return value


def fact_time(fact: dict) -> datetime.datetime:
    seconds = Decimal(fact["at"])
    whole = int(seconds)
    micro = int((seconds - whole) * 1_000_000)
    return datetime.datetime.fromtimestamp(whole, tz=datetime.UTC).replace(microsecond=micro)


def fact_id(fact: dict, *parts: str) -> str:
    """The fact's stable source id (44 characters): the same fact, posted again, has the same one."""
    identity = [
        fact["registrar"],
        fact["kind"],
        str(Decimal(fact["at"]).quantize(Decimal("0.000001"))),
        fact.get("call_id", ""),
        fact.get("cseq", ""),
        fact.get("contact", ""),
        fact.get("remote_ip", ""),
        str(fact.get("remote_port") or ""),
        fact.get("transport", ""),
        str(fact.get("sip_code") or ""),
        *parts,
    ]
    digest = hashlib.sha256("\x1f".join(identity).encode()).hexdigest()[:40]
    return f"kam-{digest}"


def call_key(call_id: str) -> str:
    """The CDR's uniqueid/linkedid: the Call-ID, or its digest when longer than a uniqueid holds."""
    if len(call_id) <= MAX_UNIQUEID:
        return call_id
    return "kam-" + hashlib.sha256(call_id.encode()).hexdigest()


def uri_address(uri: str) -> tuple[str, int, str] | None:
    """(host, port, transport) a SIP URI names; the port defaults as RFC 3263 says."""
    found = URI.match(uri.strip().strip("<>"))
    if not found:
        return None
    params = dict(
        part.split("=", 1) if "=" in part else (part, "")
        for part in (found.group("params") or "").lower().split(";")
        if part
    )
    secure = uri.lower().lstrip("<").startswith("sips:")
    transport = params.get("transport", "tls" if secure else "udp").upper()
    default_port = 5061 if transport in {"TLS", "WSS"} else 5060
    port = int(found.group("port") or default_port)
    return found.group("host").strip("[]"), port, transport


def contact_uris(header: str) -> list[str]:
    """The URIs of a Contact header value (`*` stays `*`): `"A" <sip:a@h>;expires=0, sip:b@h`."""
    if header.strip() == "*":
        return ["*"]
    uris: list[str] = []
    for part in re.findall(r'(?:"[^"]*"\s*)?<([^>]+)>|([^,<>"\s][^,]*)', header):
        uri = (part[0] or part[1].split(";")[0]).strip()
        if uri:
            uris.append(uri)
    return uris


def _source_address(fact: dict) -> tuple[str, int, str] | None:
    """Where the request came from: Kamailio's received address when it kept one, else $si:$sp."""
    if fact.get("received"):
        found = uri_address(fact["received"])
        if found:
            return found
    if fact.get("remote_ip") and fact.get("remote_port"):
        return fact["remote_ip"], fact["remote_port"], (fact.get("transport") or "udp").upper()
    return None


def lost_with_connection(fact: dict) -> bool:
    """An `expired` fact Kamailio marked "connection lost": usrloc removed a TCP/TLS/WS contact
    whose connection had closed (handle_lost_tcp). Its DISCONNECT already ended the binding
    (`connection_lost`); it is no expiry, and no EXPIRED event is written for it."""
    return fact["kind"] == "expired" and fact.get("details") == "connection lost"


def registration_items(fact: dict) -> list[dict]:
    """The registrations/ items of a register, unregister or expired fact."""
    kind = fact["kind"]
    address = _source_address(fact)
    if kind == "expired" and address is None and fact.get("contact"):
        address = uri_address(fact["contact"])
    if address is None or not fact.get("username"):
        return []
    ip, port, transport = address
    base = {
        "timestamp": fact_time(fact),
        "username": fact["username"],
        "remote_ip": ip,
        "remote_port": port,
        "transport": transport,
        "user_agent": fact.get("user_agent", "")[:255],
        "registrar": fact["registrar"],
    }
    if kind == "register":
        if not fact.get("contact") or fact.get("expires") is None:
            return []
        return [{**base, "event_id": fact_id(fact), "contact": fact["contact"], "expires": fact["expires"]}]
    if kind == "expired" and lost_with_connection(fact):
        return []
    reason = "expired" if kind == "expired" else "unregister"
    uris = [fact["contact"]] if kind == "expired" else contact_uris(fact.get("contact", ""))
    return [
        {**base, "event_id": fact_id(fact, uri), "contact": uri, "expires": 0, "reason": reason} for uri in uris if uri
    ]


def sip_event_items(fact: dict) -> list[dict]:
    """The sip-events/ items of a fact: REGISTER, UNREGISTER, EXPIRED and AUTH_FAILED name the
    user; CONNECT, DISCONNECT and NETWORK_ERROR only the address (reconciliation binds them)."""
    kind = fact["kind"]
    if kind in CONNECTION_EVENTS:
        address = _source_address(fact)
        if address is None:
            return []
        ip, port, transport = address
        return [
            {
                "event_id": fact_id(fact),
                "timestamp": fact_time(fact),
                "event": CONNECTION_EVENTS[kind],
                "remote_ip": ip,
                "remote_port": port,
                "transport": transport,
                "details": fact.get("details", "") or f"{transport} connection {CONNECTION_EVENTS[kind].lower()}",
            }
        ]
    if kind not in {"register", "unregister", "expired", "auth_failed"} or lost_with_connection(fact):
        return []
    address = _source_address(fact) or (uri_address(fact["contact"]) if fact.get("contact") else None)
    event = {"register": "REGISTER", "unregister": "UNREGISTER", "expired": "EXPIRED", "auth_failed": "AUTH_FAILED"}
    details = {
        "register": f"contact {fact.get('contact', '')} for {fact.get('expires')} s",
        "unregister": f"contact {fact.get('contact', '')} removed",
        "expired": f"contact {fact.get('contact', '')} expired",
        "auth_failed": f"digest authentication failed ({fact.get('details', '')})".replace(" ()", ""),
    }[kind]
    item = {
        "event_id": fact_id(fact),
        "timestamp": fact_time(fact),
        "event": event[kind],
        "username": fact.get("username", "")[:64],
        "details": details,
    }
    if address:
        item.update(remote_ip=address[0], remote_port=address[1], transport=address[2])
    return [item] if item["username"] or address else []
