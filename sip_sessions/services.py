"""Writes of the SIP activity log: the ingest of the server's events."""

from registrations.models import Account
from voipadmin.bulk import copy_insert_new
from voipadmin.partitions import ensure_partitions_for

from .models import SipEvent


def sip_events_store(*, items: list[dict]) -> int:
    """Insert the new events of a batch (a repeated (event_id, time) is skipped); returns rows created.

    A username the server gives is linked to its account when the console knows it (unknown
    names, e.g. a scanner's guesses, are kept as text and create no account). Events without a
    username wait for reconciliation.
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
    return copy_insert_new(SipEvent, rows)
