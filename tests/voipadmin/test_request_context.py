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
