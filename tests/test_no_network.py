"""No network at run time: the whole flow runs with every non-loopback connection refused.

Prefect's test server is reached over loopback, so only connections and name lookups that would
leave the machine are blocked; each attempt is recorded and the test fails if there was any.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest
from conftest import make_settings

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def _is_loopback(host: object) -> bool:
    if host is None:
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def outside_attempts(monkeypatch) -> list[str]:
    """Refuse (and record) every connection or lookup that would leave this machine."""
    attempts: list[str] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo, real_create = socket.getaddrinfo, socket.create_connection

    def refuse(what: str) -> OSError:
        attempts.append(what)
        return ConnectionRefusedError(f"network blocked by test: {what}")

    def guarded(real):
        def connect(sock, address, *args, **kwargs):
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
                raise refuse(f"connect {address!r}")
            return real(sock, address, *args, **kwargs)

        return connect

    def getaddrinfo(host, *args, **kwargs):
        if not _is_loopback(host):
            raise refuse(f"getaddrinfo {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    def create_connection(address, *args, **kwargs):
        if not _is_loopback(address[0]):
            raise refuse(f"create_connection {address!r}")
        return real_create(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded(real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(real_connect_ex))
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return attempts


def test_the_guard_blocks_outside_connections(outside_attempts):
    with pytest.raises(OSError), socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1: never routable
    with pytest.raises(OSError):
        socket.getaddrinfo("example.org", 443)
    assert len(outside_attempts) == 2


@pytest.mark.flow
def test_full_run_makes_no_outside_connection(
    prefect_harness, seeds_dir, tmp_path, outside_attempts
):
    from flows.pipeline import newsetl_run

    settings = make_settings(tmp_path, seeds_dir)
    summary = newsetl_run(settings=settings)
    assert summary.docs_loaded == 2
    assert summary.table_counts["documents"] == 2
    assert outside_attempts == []
