"""Outbox rows as the delivery process posts them (integrations/kamailio/deliver.py fact_from_row)."""

import datetime
import itertools

REGISTRAR = "kamailio@127.0.0.1:5070"
# Ten minutes ago, to the second: the facts are recent, whatever the day (bindings of an hour are live).
T0 = datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0) - datetime.timedelta(minutes=10)
_ids = itertools.count(1)


def at(seconds: float) -> str:
    """$TV(Sn) `seconds` after T0: Unix seconds with microseconds."""
    return f"{T0.timestamp() + seconds:.6f}"


def fact(kind: str, seconds: float, **fields) -> dict:
    return {"registrar": REGISTRAR, "kind": kind, "at": at(seconds), "outbox_id": next(_ids), **fields}


def register(username: str, seconds: float, *, port: int, transport: str = "udp", expires: int = 3600, **more):
    return fact(
        "register",
        seconds,
        username=username,
        contact=f"sip:{username}@127.0.0.1:{port};transport={transport.upper()}",
        expires=expires,
        remote_ip="127.0.0.1",
        remote_port=port,
        transport=transport,
        received=f"sip:127.0.0.1:{port}" + (";transport=tcp" if transport == "tcp" else ""),
        call_id=f"reg-{username}-{port}",
        cseq="2",
        user_agent="SIPp voipadmin-e2e",
        **more,
    )


def call(kind: str, seconds: float, call_id: str, *, caller: str = "u1", callee: str = "c200", code=None):
    fields = {"call_id": call_id, "cseq": "2", "caller": caller, "callee": callee, "remote_ip": "127.0.0.1"}
    fields.update(remote_port=5060, transport="udp")
    if code is not None:
        fields["sip_code"] = code
    return fact(kind, seconds, **fields)
