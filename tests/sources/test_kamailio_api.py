"""POST /api/v1/kamailio/facts/ and /usrloc/: Kamailio's facts stored through the API's services."""

import pytest

from cdr.models import Cdr
from monitoring.models import TerminalState
from registrations.models import RegistrationBinding
from registrations.services import bindings_expire
from sip_sessions.models import SipEvent
from sources.models import KamailioCall

from .kamailio_facts import REGISTRAR, T0, call, fact, register

pytestmark = pytest.mark.django_db

FACTS = "/api/v1/kamailio/facts/"
USRLOC = "/api/v1/kamailio/usrloc/"


def post(client, facts):
    return client.post(FACTS, facts, content_type="application/json")


def bindings():
    return list(
        RegistrationBinding.objects.order_by("username", "id").values_list(
            "username", "remote_port", "transport", "removed_reason", "registrar"
        )
    )


def test_register_unregister_and_expiry_become_bindings_with_reasons(ingest_client):
    facts = [
        register("u1", 1, port=40001),
        register("u2", 1.1, port=40002, expires=5),
        register("u7", 1.2, port=42157, transport="tcp"),
        fact("connect", 1.3, remote_ip="127.0.0.1", remote_port=42157, transport="tcp"),
        fact("unregister", 2, username="u1", contact="*", remote_ip="127.0.0.1", remote_port=40001, transport="udp"),
        fact(
            "expired", 7, username="u2", contact="sip:u2@127.0.0.1:40002;transport=UDP", received="sip:127.0.0.1:40002"
        ),
    ]
    response = post(ingest_client, facts)
    assert response.status_code == 201, response.content
    # Kamailio expires a contact after its expiry: the console's own sweep ends it there.
    bindings_expire()
    assert bindings() == [
        ("u1", 40001, "UDP", "unregister", REGISTRAR),
        ("u2", 40002, "UDP", "expired", REGISTRAR),
        ("u7", 42157, "TCP", "", REGISTRAR),
    ]
    assert sorted(SipEvent.objects.values_list("event", flat=True)) == [
        "CONNECT",
        "EXPIRED",
        "REGISTER",
        "REGISTER",
        "REGISTER",
        "UNREGISTER",
    ]
    again = post(ingest_client, facts)
    assert again.status_code == 201
    assert again.json()["created"] == 0 and again.json()["unchanged"] == len(facts)
    assert len(bindings()) == 3 and SipEvent.objects.count() == 6


def test_a_tcp_users_disconnect_ends_its_binding_as_connection_lost(ingest_client):
    post(ingest_client, [register("u7", 1, port=42157, transport="tcp")])
    response = post(ingest_client, [fact("disconnect", 30, remote_ip="127.0.0.1", remote_port=42157, transport="tcp")])
    assert response.status_code == 201, response.content
    assert bindings() == [("u7", 42157, "TCP", "connection_lost", REGISTRAR)]


@pytest.mark.parametrize(
    ("facts", "disposition", "code", "answered"),
    [
        (
            [("invite", 0, None), ("ringing", 0.1, 180), ("answered", 0.5, 200), ("bye", 10.5, None)],
            "ANSWERED",
            200,
            True,
        ),
        ([("invite", 0, None), ("ringing", 0.1, 180), ("failed", 0.4, 486)], "BUSY", 486, False),
        ([("invite", 0, None), ("failed", 0.4, 503)], "FAILED", 503, False),
        ([("invite", 0, None), ("ringing", 0.1, 180), ("failed", 4, 408)], "NO_ANSWER", 408, False),
        ([("invite", 0, None), ("ringing", 0.1, 180), ("failed", 1, 487)], "NO_ANSWER", 487, False),
    ],
)
def test_every_invite_dialog_is_one_cdr_with_the_callees_code(ingest_client, facts, disposition, code, answered):
    post(ingest_client, [register("u1", -5, port=40001), register("c200", -5, port=5181)])
    rows = [call(kind, seconds, "call-1@127.0.0.1", code=sip_code) for kind, seconds, sip_code in facts]
    # Delivered in reverse: a late INVITE still makes the call whole.
    for row in reversed(rows):
        assert post(ingest_client, [row]).status_code == 201
    cdr = Cdr.objects.select_related("caller", "callee").get()
    assert (cdr.uniqueid, cdr.linkedid, cdr.src, cdr.dst) == ("call-1@127.0.0.1",) * 2 + ("u1", "c200")
    assert (cdr.disposition, cdr.sip_code) == (disposition, code)
    assert (cdr.caller.username, cdr.callee.username) == ("u1", "c200")
    assert cdr.start == T0
    assert (cdr.answer is not None) is answered
    if answered:
        assert (cdr.duration, cdr.billsec) == (10, 10)
    for row in rows:
        post(ingest_client, [row])
    assert Cdr.objects.count() == 1


def test_the_sip_terminal_follows_the_call(ingest_client):
    post(ingest_client, [register("u1", 0, port=40001), register("c200", 0, port=5181)])

    def state(username):
        return TerminalState.objects.values_list("registered", "calls_ringing", "calls_active").get(
            account__username=username, terminal=1
        )

    assert state("u1") == (True, 0, 0)
    post(ingest_client, [call("invite", 1, "c1"), call("ringing", 1.1, "c1", code=180)])
    assert (state("u1"), state("c200")) == ((True, 0, 0), (True, 1, 0))
    post(ingest_client, [call("answered", 2, "c1", code=200)])
    assert (state("u1"), state("c200")) == ((True, 0, 1), (True, 0, 1))
    post(ingest_client, [call("bye", 5, "c1")])
    assert (state("u1"), state("c200")) == ((True, 0, 0), (True, 0, 0))
    assert KamailioCall.objects.get().cdr_stored


def test_a_bad_fact_is_refused_naming_its_index_and_field(ingest_client):
    good = register("u1", 1, port=40001)
    response = post(ingest_client, [good, {**good, "kind": "teleport"}, {**good, "at": "soon"}])
    assert response.status_code == 400
    errors = {(error["index"], error["field"]) for error in response.json()["errors"]}
    assert errors == {(1, "kind"), (2, "at")}
    assert RegistrationBinding.objects.count() == 0


def test_usrloc_dump_resyncs_the_registrar(ingest_client):
    post(ingest_client, [register("u1", 0, port=40001), register("u2", 0, port=40002)])
    dump = {
        "Domains": [
            {
                "Domain": {
                    "Domain": "location",
                    "AoRs": [
                        {
                            "Info": {
                                "AoR": "u2",
                                "Contacts": [
                                    {
                                        "Contact": {
                                            "Address": "sip:u2@127.0.0.1:40002;transport=UDP",
                                            "Expires": 3000,
                                            "Received": "sip:127.0.0.1:40002",
                                        }
                                    }
                                ],
                            }
                        },
                        {
                            "Info": {
                                "AoR": "u3",
                                "Contacts": [{"Contact": {"Address": "sip:u3@127.0.0.1:40003", "Expires": 60}}],
                            }
                        },
                    ],
                }
            }
        ]
    }
    body = {"registrar": REGISTRAR, "taken_at": T0.timestamp() + 600, "dump": dump}
    response = ingest_client.post(USRLOC, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json() == {"ended": 1, "opened": 1, "unchanged": 1}
    assert [(name, reason) for name, _port, _transport, reason, _registrar in bindings()] == [
        ("u1", "resync"),
        ("u2", ""),
        ("u3", ""),
    ]
    bad = ingest_client.post(USRLOC, {**body, "taken_at": "later"}, content_type="application/json")
    assert bad.status_code == 400 and "taken_at" in bad.json()["errors"]


def test_a_lost_connection_before_a_later_expiry_in_one_batch_stays_connection_lost(ingest_client):
    closed = fact("disconnect", 30, remote_ip="127.0.0.1", remote_port=42157, transport="tcp")
    removed = fact("expired", 30.5, username="u7", contact="sip:u7@127.0.0.1:42157;transport=TCP")
    removed.update(received="sip:127.0.0.1:42157;transport=tcp", details="connection lost")
    response = post(ingest_client, [removed, register("u7", 1, port=42157, transport="tcp"), closed])
    assert response.status_code == 201, response.content
    assert bindings() == [("u7", 42157, "TCP", "connection_lost", REGISTRAR)]
    assert not SipEvent.objects.filter(event="EXPIRED").exists()
