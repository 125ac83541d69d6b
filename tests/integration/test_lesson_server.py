"""The lesson server against adversarial clients (issue 34): a real server on 127.0.0.1 (an ephemeral
port), no worker processes, every request bounded in count and time."""

from __future__ import annotations

import http.client
import json
import socket
import struct
import threading
import time

import pytest

from feedsim.cli import main
from feedsim.lesson.server import MAX_ACCOUNT_DAYS, make_server
from feedsim.lesson.state import ExploreParams

SMALL = ExploreParams(n_users=100, days=1, replicates=2)


@pytest.fixture
def server():
    srv = make_server(0, defaults=SMALL, warm=False, workers=0, prefetch=False)
    srv.socket_timeout = 1.0
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=10)


def get(srv, path, timeout=60.0):
    """Status and JSON body of one GET (at most ``timeout`` seconds)."""
    host, port = srv.server_address[:2]
    con = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        con.request("GET", path)
        resp = con.getresponse()
        body = resp.read()
        return resp.status, json.loads(body) if resp.getheader("Content-Type") == "application/json" else body
    finally:
        con.close()


def raw(srv, data: bytes, timeout: float = 5.0) -> socket.socket:
    sock = socket.create_connection(srv.server_address[:2], timeout=timeout)
    sock.sendall(data)
    return sock


@pytest.mark.parametrize("query, words", [
    ("n_users=20000&days=60&replicates=2", f"must be at most {MAX_ACCOUNT_DAYS} per request"),
    ("days=1e-300", "days must be"),
    ("days=1e308", "days must be"),
    ("days=nan", "days must be"),
    ("replicates=100000000", "replicates must be"),
])
def test_requests_past_the_limits_are_refused_at_once(server, query, words):
    t0 = time.monotonic()
    status, body = get(server, f"/api/state?{query}", timeout=10)
    assert status == 400 and words in body["detail"], body  # the technical line; "error" is in plain words
    assert "\n" not in body["error"] and time.monotonic() - t0 < 5
    assert not server._payloads  # nothing was computed


def test_the_pages_own_minimums_give_a_state(server):
    status, body = get(server, "/api/state?n_users=100&days=1&replicates=2")
    assert status == 200, body
    assert "class='bar'" in body["reach"] and body["numbers"]["params"]["n_users"] == 100


@pytest.mark.parametrize("data", [b"GET /\r\n", b"GET / HTTP/1.1\r\nHost: x\r\n", b"GE"])
def test_a_half_sent_request_does_not_hold_a_thread(server, data):
    sock = raw(server, data)
    try:
        t0 = time.monotonic()
        got = b""
        while True:  # the server answers or closes within its socket timeout (1 s here)
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
        assert time.monotonic() - t0 < 4.5
    finally:
        sock.close()


def test_clients_that_leave_print_nothing(server, capfd):
    assert get(server, "/api/state")[0] == 200  # now kept: the answer is written at once
    for path in ("/api/state", "/", "/api/state?ranker=random"):
        sock = raw(server, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()  # a reset, as a closed browser tab
    time.sleep(1.5)
    assert get(server, "/")[0] == 200  # still serving
    _, err = capfd.readouterr()
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err, err


def test_a_request_whose_client_left_while_waiting_is_not_computed(server, monkeypatch):
    params = "ranker=popularity"
    asked = []
    real = server.payload
    monkeypatch.setattr(server, "payload", lambda p, *a: asked.append(p) or real(p, *a))
    with server.lock:  # another state is being computed
        sock = raw(server, f"GET /api/state?{params} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        time.sleep(0.3)
        sock.close()
        time.sleep(0.3)
    time.sleep(0.5)
    with server.lock:  # waits for any computation it started
        assert asked == [] and not any(p.ranker == "popularity" for p in server._payloads)


def test_a_request_waits_for_the_lock_a_bounded_time(server):
    server.lock_wait = 0.5
    with server.lock:
        t0 = time.monotonic()
        status, body = get(server, "/api/state", timeout=10)
    assert status == 503 and "busy" in body["error"] and time.monotonic() - t0 < 5


def test_lesson_on_a_port_in_use_is_one_line(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code = main(["lesson", "--port", str(port), "--no-browser"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "address already in use" in err, err
