"""Kamailio's `ul.dump` (JSON-RPC) as a registrar snapshot: its live contacts, for the console's resync."""

from .facts import uri_address


def snapshot_contacts(dump: dict) -> list[dict]:
    """Every live contact of every AoR of every usrloc domain: username, contact, the address it
    registered from (Kamailio's received address, else the contact's own), seconds left, user agent.
    A contact whose Expires is not a positive number of seconds (deleted, expired) is not live."""
    contacts = []
    for domain in (dump or {}).get("Domains") or []:
        for aor in (domain.get("Domain") or {}).get("AoRs") or []:
            info = aor.get("Info") or {}
            username = str(info.get("AoR", "")).split("@", 1)[0]
            for entry in info.get("Contacts") or []:
                contact = entry.get("Contact") or {}
                expires = contact.get("Expires")
                address = contact.get("Address", "")
                if not username or not address or not isinstance(expires, int) or expires <= 0:
                    continue
                source = uri_address(contact.get("Received") or "") or uri_address(address)
                if source is None:
                    continue
                contacts.append(
                    {
                        "username": username,
                        "contact": address,
                        "remote_ip": source[0],
                        "remote_port": source[1],
                        "transport": source[2],
                        "expires": expires,
                        "user_agent": str(contact.get("User-Agent", ""))[:255],
                    }
                )
    return contacts
