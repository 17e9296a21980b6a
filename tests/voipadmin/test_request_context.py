"""The client address: X-Forwarded-For only counts behind a proxy the settings trust."""

import pytest
from django.test import RequestFactory

from voipadmin.request_context import client_ip

factory = RequestFactory()


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return factory.get("/", **extra)


def test_untrusted_peer_cannot_choose_its_address(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request("198.51.100.7", "1.2.3.4")) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_rightmost_untrusted_hop_counts(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # the client sent a spoofed first hop; the proxy appended the real address
    assert client_ip(request("10.0.0.2", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(request("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.3")) == "198.51.100.7"


@pytest.mark.parametrize("header", ["", "garbage", " , "])
def test_broken_forwarded_header_falls_back_to_the_peer(settings, header):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request("10.0.0.2", header)) == "10.0.0.2"


@pytest.fixture
def behind_a_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True


@pytest.mark.django_db
def test_only_a_trusted_proxy_may_say_the_request_came_over_https(client, behind_a_proxy):
    spoofed = client.get("/login/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_PROTO="https")
    assert spoofed.status_code == 301 and spoofed["Location"] == "https://testserver/login/"
    proxied = client.get("/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
    assert client.get("/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_PROTO="http").status_code == 301


def test_the_header_is_dropped_from_a_direct_client_and_kept_from_the_proxy(behind_a_proxy):
    from voipadmin.request_context import ForwardedProtoMiddleware

    seen = []
    middleware = ForwardedProtoMiddleware(lambda request: seen.append(request.is_secure()))
    for remote in ("198.51.100.7", "not-an-address", "10.0.0.2"):
        middleware(factory.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_PROTO="https"))
    assert seen == [False, False, True]
