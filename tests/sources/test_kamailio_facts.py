"""sources/kamailio/facts.py and usrloc.py: Kamailio's raw facts as the API's items (pure mapping)."""

import datetime

from sources.kamailio.facts import (
    call_key,
    contact_uris,
    fact_id,
    fact_time,
    registration_items,
    sip_event_items,
    uri_address,
)
from sources.kamailio.usrloc import snapshot_contacts

from .kamailio_facts import REGISTRAR, T0, fact, register


def test_fact_time_keeps_microseconds():
    assert fact_time({"at": "1796296569.443214"}) == datetime.datetime(
        2026, 12, 3, 11, 16, 9, 443214, tzinfo=datetime.UTC
    )


def test_fact_id_is_stable_and_tells_facts_apart():
    first = register("u1", 1.5, port=40000)
    again = {**first, "outbox_id": 999}  # the same row posted again after a retry
    assert fact_id(first) == fact_id(again)
    assert len(fact_id(first)) <= 64
    assert fact_id(first) != fact_id(register("u1", 1.500001, port=40000))
    assert fact_id(first) != fact_id(register("u1", 1.5, port=40001))
    assert fact_id({**first, "at": "1796296569.5"}) == fact_id({**first, "at": "1796296569.500000"})


def test_uri_address_reads_host_port_and_transport():
    assert uri_address("sip:127.0.0.1:40312;transport=tcp") == ("127.0.0.1", 40312, "TCP")
    assert uri_address("<sip:u1@10.0.0.7;transport=UDP>") == ("10.0.0.7", 5060, "UDP")
    assert uri_address("sips:u1@[2001:db8::1]") == ("2001:db8::1", 5061, "TLS")
    assert uri_address("mailto:x") is None


def test_contact_uris_of_a_contact_header():
    header = '"Alice" <sip:a@10.0.0.1:5060>;expires=0, sip:b@10.0.0.2;expires=0'
    assert contact_uris(header) == ["sip:a@10.0.0.1:5060", "sip:b@10.0.0.2"]
    assert contact_uris(" * ") == ["*"]


def test_call_key_hashes_call_ids_past_150_characters():
    assert call_key("abc@host") == "abc@host"
    long_id = "x" * 151
    assert call_key(long_id) != long_id and len(call_key(long_id)) <= 150
    assert call_key(long_id) == call_key("x" * 151)


def test_register_fact_is_a_binding_with_the_granted_expiry():
    row = register("u7", 2, port=42157, transport="tcp", expires=5)
    [item] = registration_items(row)
    assert item == {
        "event_id": fact_id(row),
        "timestamp": T0 + datetime.timedelta(seconds=2),
        "username": "u7",
        "contact": "sip:u7@127.0.0.1:42157;transport=TCP",
        "remote_ip": "127.0.0.1",
        "remote_port": 42157,
        "transport": "TCP",
        "expires": 5,
        "user_agent": "SIPp voipadmin-e2e",
        "registrar": REGISTRAR,
    }


def test_unregister_fact_ends_every_contact_it_names():
    row = fact("unregister", 3, username="u1", contact="*", remote_ip="127.0.0.1", remote_port=40000, transport="udp")
    [item] = registration_items(row)
    assert (item["contact"], item["expires"], item["reason"]) == ("*", 0, "unregister")
    without_contact = fact("unregister", 3, username="u1", remote_ip="127.0.0.1", remote_port=4, transport="udp")
    assert registration_items(without_contact) == []  # a REGISTER that only asked for the bindings


def test_expired_fact_ends_the_contact_with_reason_expired_at_its_received_address():
    row = fact(
        "expired", 9, username="u2", contact="sip:u2@127.0.0.1:53465;transport=UDP", received="sip:127.0.0.1:53465"
    )
    [item] = registration_items(row)
    assert (item["username"], item["expires"], item["reason"]) == ("u2", 0, "expired")
    assert (item["remote_ip"], item["remote_port"], item["transport"]) == ("127.0.0.1", 53465, "UDP")
    [event] = sip_event_items(row)
    assert (event["event"], event["username"]) == ("EXPIRED", "u2")


def test_connection_facts_are_events_known_by_address_only():
    for kind, event in (("connect", "CONNECT"), ("disconnect", "DISCONNECT"), ("network_error", "NETWORK_ERROR")):
        row = fact(kind, 4, remote_ip="127.0.0.1", remote_port=42157, transport="tcp")
        [item] = sip_event_items(row)
        assert item["event"] == event
        assert "username" not in item
        assert (item["remote_ip"], item["remote_port"], item["transport"]) == ("127.0.0.1", 42157, "TCP")
        assert registration_items(row) == []


def test_auth_failed_names_the_user_and_the_address():
    row = fact("auth_failed", 5, username="u5", remote_ip="127.0.0.1", remote_port=5060, transport="udp")
    row["details"] = "REGISTER -2"
    [item] = sip_event_items(row)
    assert (item["event"], item["username"], item["remote_port"]) == ("AUTH_FAILED", "u5", 5060)
    assert "REGISTER -2" in item["details"]


def test_snapshot_contacts_from_ul_dump():
    dump = {
        "Domains": [
            {
                "Domain": {
                    "Domain": "location",
                    "AoRs": [
                        {
                            "Info": {
                                "AoR": "u7",
                                "Contacts": [
                                    {
                                        "Contact": {
                                            "Address": "sip:u7@127.0.0.1:42157;transport=TCP",
                                            "Expires": 118,
                                            "Received": "sip:127.0.0.1:42157;transport=tcp",
                                            "User-Agent": "SIPp",
                                        }
                                    },
                                    {"Contact": {"Address": "sip:u7@10.0.0.9", "Expires": "deleted"}},
                                ],
                            }
                        },
                        {
                            "Info": {
                                "AoR": "u8@example.org",
                                "Contacts": [{"Contact": {"Address": "sip:u8@10.0.0.8:5070", "Expires": 30}}],
                            }
                        },
                    ],
                }
            }
        ]
    }
    assert snapshot_contacts(dump) == [
        {
            "username": "u7",
            "contact": "sip:u7@127.0.0.1:42157;transport=TCP",
            "remote_ip": "127.0.0.1",
            "remote_port": 42157,
            "transport": "TCP",
            "expires": 118,
            "user_agent": "SIPp",
        },
        {
            "username": "u8",
            "contact": "sip:u8@10.0.0.8:5070",
            "remote_ip": "10.0.0.8",
            "remote_port": 5070,
            "transport": "UDP",
            "expires": 30,
            "user_agent": "",
        },
    ]
    assert snapshot_contacts({"Domains": []}) == []


def test_a_contact_removed_with_its_lost_connection_is_no_expiry():
    removed = fact("expired", 9, username="t13", contact="sip:t13@127.0.0.1:33909;transport=TCP")
    removed.update(received="sip:127.0.0.1:33909;transport=tcp", details="connection lost")
    assert registration_items(removed) == [] and sip_event_items(removed) == []
    expired = {**removed, "details": ""}  # usrloc's sweep, at its expiry
    assert [item["reason"] for item in registration_items(expired)] == ["expired"]
