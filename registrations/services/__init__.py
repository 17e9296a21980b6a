"""Writes of the registrations app: accounts, the registrar's binding feed and what ends bindings.

All run inside the caller's transaction (the ingest's: a batch is all-or-nothing) and count as
"created" the items that changed something: posting an item again changes nothing.
"""

from .accounts import accounts_for_usernames, accounts_upsert, online_accounts
from .bindings import binding_apply, registrations_store
from .ends import bindings_connection_lost, bindings_expire
from .snapshot import registrations_snapshot

__all__ = [
    "accounts_for_usernames",
    "accounts_upsert",
    "binding_apply",
    "bindings_connection_lost",
    "bindings_expire",
    "online_accounts",
    "registrations_snapshot",
    "registrations_store",
]
