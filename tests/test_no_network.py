"""The test suite cannot reach the network: the guard in conftest.py refuses and reports it."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import NetworkRefused


def test_a_connection_to_another_host_is_refused(no_network: list[str]) -> None:
    with pytest.raises(NetworkRefused), socket.socket() as sock:
        sock.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed anyway
    with pytest.raises(NetworkRefused):
        socket.create_connection(("api.anthropic.com", 443), timeout=1)
    assert len(no_network) == 2
    no_network.clear()  # reported here, not as a failure of this test


def test_loopback_still_works(fake_api) -> None:
    with socket.create_connection(("127.0.0.1", int(fake_api.base_url.rsplit(":", 1)[1]))):
        pass
