"""Writes of the SIP activity log: the ingest of the server's events."""

from registrations.models import Account
from registrations.services import bindings_connection_lost
from voipadmin.bulk import copy_insert_new
from voipadmin.partitions import ensure_partitions_for

from .models import SipEvent


def sip_events_store(*, items: list[dict]) -> int:
    """Insert the new events of a batch (a repeated (event_id, time) is skipped); returns rows created.

    A username the server gives is linked to its account when the console knows it (unknown
    names, e.g. a scanner's guesses, are kept as text and create no account). Events without a
    username wait for reconciliation. A DISCONNECT or NETWORK_ERROR of a TCP/TLS/WS/WSS connection
    also ends the binding live at its address at that moment (reason connection_lost); the event
    still waits for reconciliation, which binds it to that binding (its end instant included).
    """
    ensure_partitions_for(SipEvent, [item["timestamp"] for item in items])
    usernames = {item["username"] for item in items if item.get("username")}
    accounts = dict(Account.objects.filter(username__in=usernames).values_list("username", "pk"))
    rows = [
        {
            "event_id": item["event_id"],
            "time": item["timestamp"],
            "event": item["event"],
            "details": item.get("details", ""),
            "remote_ip": item.get("remote_ip"),
            "remote_port": item.get("remote_port"),
            "transport": item.get("transport", ""),
            "username": item.get("username", ""),
            "account_id": accounts.get(item.get("username", "")),
        }
        for item in items
    ]
    created = copy_insert_new(SipEvent, rows)
    bindings_connection_lost(items=items)
    return created
