"""The API as `python -m api.serve` runs it, a real uvicorn process on a free port: which
proxies are believed, slow clients cut, connections capped."""

from __future__ import annotations

import contextlib
import select
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.serve import server_options
from api.slow_clients import DeadlineH11Protocol
from settings import Settings
from tests.api_process import Server
from tests.factories import OPERATOR, OPERATOR_KEY, auth

BAD_KEY = auth("ak_not-a-key-anyone-was-given")
SLOW = {"HEADER_TIMEOUT_SECONDS": "1", "BODY_TIMEOUT_SECONDS": "1", "KEEP_ALIVE_SECONDS": "1"}
# Small enough for a test to pass it in a few requests.
FAILURES = "2"


@pytest.fixture(scope="module")
def direct(
    engine: Engine, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """Reached directly, no proxy trusted (the default), short deadlines, two connections,
    4 KiB of headers."""
    log = tmp_path_factory.mktemp("direct") / "api.log"
    server = Server(
        database_url,
        log,
        AUTH_FAILURES_PER_IP=FAILURES,
        MAX_CONNECTIONS="2",
        MAX_HEADER_BYTES="4096",
        **SLOW,
    )
    server.wait_ready()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proxied(
    engine: Engine, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """Behind a proxy on 127.0.0.1, named in FORWARDED_ALLOW_IPS."""
    log = tmp_path_factory.mktemp("proxied") / "api.log"
    server = Server(
        database_url, log, AUTH_FAILURES_PER_IP=FAILURES, FORWARDED_ALLOW_IPS="127.0.0.1"
    )
    server.wait_ready()
    yield server
    server.stop()


def _fails(server: Server, forwarded_for: str) -> int:
    headers = {**BAD_KEY, "X-Forwarded-For": forwarded_for}
    return httpx.get(f"{server.url}/members", headers=headers).status_code


# --- forwarded addresses ---


def test_a_rotating_forwarded_for_from_an_untrusted_peer_is_still_limited(
    direct: Server, db: sessionmaker[Session]
) -> None:
    answers = [_fails(direct, f"198.51.100.{n}") for n in range(4)]
    assert answers == [401, 401, 429, 429]


def test_a_trusted_proxy_forwards_the_client_address(
    proxied: Server, db: sessionmaker[Session]
) -> None:
    assert [_fails(proxied, f"198.51.100.{n}") for n in range(6)] == [401] * 6
    # The address the proxy saw is limited, whatever the client put before it.
    same = [_fails(proxied, f"10.9.9.{n}, 203.0.113.7") for n in range(3)]
    assert same == [401, 401, 429]
    assert _fails(proxied, "203.0.113.8") == 401


# --- slow clients ---


def _closed_after(sock: socket.socket, drip: bytes, interval: float = 0.05) -> tuple[float, int]:
    """Sends `drip` a byte every `interval` until the server closes the connection; the
    seconds that took and the bytes sent. Fails if all of `drip` went through."""
    started, sent = time.monotonic(), 0
    for byte in drip:
        try:
            sock.send(bytes([byte]))
        except OSError:
            return time.monotonic() - started, sent
        sent += 1
        readable, _, _ = select.select([sock], [], [], interval)
        if readable and sock.recv(4096) == b"":
            return time.monotonic() - started, sent
    raise AssertionError(f"the server read all {sent} bytes and kept the connection")


def test_headers_sent_byte_by_byte_are_cut_after_the_header_timeout(
    direct: Server, db: sessionmaker[Session]
) -> None:
    headers = b"GET /members HTTP/1.1\r\nHost: api\r\n" + b"X-Padding: slow\r\n" * 20
    with direct.connect() as sock:
        seconds, sent = _closed_after(sock, headers)
    assert 0.9 <= seconds < 2.5 and sent < len(headers)


def test_a_connection_that_sends_nothing_is_cut_after_the_header_timeout(
    direct: Server, db: sessionmaker[Session]
) -> None:
    with direct.connect() as sock:
        started = time.monotonic()
        readable, _, _ = select.select([sock], [], [], 8)
        assert readable and sock.recv(4096) == b""
    # Closed at the keep-alive timeout: never before it, and well within a loaded machine's slack.
    assert 0.9 <= time.monotonic() - started < 6


def test_a_body_sent_byte_by_byte_is_cut_after_the_body_timeout(
    direct: Server, db: sessionmaker[Session]
) -> None:
    body = b'{"company": "Initech", "contact_name": "Peter", "email": "p@initech.example"}'
    head = (
        b"POST /clients HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {OPERATOR_KEY}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    )
    with direct.connect() as sock:
        sock.sendall(head)
        seconds, sent = _closed_after(sock, body)
    assert 0.9 <= seconds < 2.5 and sent < len(body)


def test_a_prompt_client_keeps_its_connection_until_the_keep_alive_timeout(
    direct: Server, db: sessionmaker[Session]
) -> None:
    with httpx.Client(base_url=direct.url) as client:
        for _ in range(3):
            assert client.get("/members", headers=OPERATOR).status_code == 200
            time.sleep(0.6)  # each wait under the deadlines, all of them over
    request = (
        b"GET /members HTTP/1.1\r\nHost: api\r\nAuthorization: Bearer " + OPERATOR_KEY.encode()
    )
    with direct.connect() as sock:
        sock.sendall(request + b"\r\n\r\n")
        assert _whole_response(sock).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        readable, _, _ = select.select([sock], [], [], 8)
        assert readable and sock.recv(4096) == b""
    # Closed at the keep-alive timeout: never before it, and well within a loaded machine's slack.
    assert 0.9 <= time.monotonic() - started < 6


def _whole_response(sock: socket.socket) -> bytes:
    """One response, head and body (by its Content-Length), however many reads it takes."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return data


def _answer_to_split_head(server: Server, padding: int) -> bytes:
    """The status line answering a request whose head arrives in two reads, the first one
    `padding` bytes of an unfinished header."""
    head = b"GET /members HTTP/1.1\r\nHost: api\r\nX-Padding: " + b"x" * padding
    with server.connect() as sock:
        sock.sendall(head)
        time.sleep(0.2)  # read by the server on its own
        with contextlib.suppress(OSError):  # already answered and closed
            sock.sendall(f"\r\nAuthorization: Bearer {OPERATOR_KEY}\r\n\r\n".encode())
        return sock.recv(65536).split(b"\r\n", 1)[0]


def test_a_request_head_growing_past_the_cap_gets_400(
    direct: Server, db: sessionmaker[Session]
) -> None:
    assert _answer_to_split_head(direct, 3000) == b"HTTP/1.1 200 OK"
    assert _answer_to_split_head(direct, 5000) == b"HTTP/1.1 400 Bad Request"


# --- the connection cap ---


def test_a_request_beyond_the_connection_cap_gets_503(
    direct: Server, db: sessionmaker[Session]
) -> None:
    held = [direct.connect(), direct.connect()]
    time.sleep(0.2)  # both accepted by the server
    try:
        refused = httpx.get(f"{direct.url}/members", headers=OPERATOR)
        assert refused.status_code == 503
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.2)
    assert httpx.get(f"{direct.url}/members", headers=OPERATOR).status_code == 200


def test_the_defaults_trust_no_proxy_and_bound_every_wait() -> None:
    options = server_options(Settings())
    assert options["proxy_headers"] is False and options["forwarded_allow_ips"] == ""
    assert options["timeout_keep_alive"] == 5 and options["limit_concurrency"] == 501
    assert options["h11_max_incomplete_event_size"] == 16_384
    protocol = options["http"]
    assert issubclass(protocol, DeadlineH11Protocol)
    assert (protocol.header_seconds, protocol.body_seconds) == (10, 30)
    behind = server_options(Settings(FORWARDED_ALLOW_IPS=" 10.0.0.0/8,192.0.2.1 "))
    assert behind["proxy_headers"] is True
    assert behind["forwarded_allow_ips"] == "10.0.0.0/8,192.0.2.1"
