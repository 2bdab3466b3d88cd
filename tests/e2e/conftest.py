"""End-to-end fixtures: the whole local stack (`python -m infra.local.run`) on free ports."""

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_MARKER = "Khadamat API listening on "
START_TIMEOUT_S = 60


def _pump_lines(stream, lines: "queue.Queue[str | None]") -> None:
    for line in stream:
        sys.stdout.write(f"[stack] {line}")
        lines.put(line)
    lines.put(None)


def _wait_for_url(process: subprocess.Popen, lines: "queue.Queue[str | None]") -> str:
    try:
        while True:
            line = lines.get(timeout=START_TIMEOUT_S)
            if line is None:
                raise RuntimeError(f"local stack exited with {process.wait()} before listening")
            if READY_MARKER in line:
                return line.split(READY_MARKER, 1)[1].strip()
    except queue.Empty:
        raise RuntimeError(f"local stack not listening after {START_TIMEOUT_S}s") from None


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


STACK_AWS: dict[str, str] = {}  # endpoint of the running stack's embedded AWS (see `store`)


@pytest.fixture(scope="session")
def stack() -> str:
    """Base URL of a fresh local stack (own embedded AWS, free ports), stopped after the session."""
    moto_port = _free_port()
    STACK_AWS["endpoint"] = f"http://127.0.0.1:{moto_port}"
    env = {**os.environ, "PORT": "0", "MOTO_PORT": str(moto_port), "PYTHONUNBUFFERED": "1",
           "KHADAMAT_SEED": os.environ.get("KHADAMAT_SEED", "demo")}
    env.pop("AWS_ENDPOINT_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "infra.local.run"], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.PIPE, text=True)
    lines: "queue.Queue[str | None]" = queue.Queue()
    threading.Thread(target=_pump_lines, args=(process.stdout, lines), daemon=True).start()
    try:
        yield _wait_for_url(process, lines)
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def http() -> requests.Session:
    with requests.Session() as session:
        yield session


@pytest.fixture(autouse=True)
def own_client_address(http):
    """Each test comes from its own address (the local gateway reads X-Forwarded-For from the
    loopback): the per-IP /auth/* limit (100 per 5 minutes, SPEC §1) counts tests apart."""
    import random

    http.headers["X-Forwarded-For"] = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    yield
    http.headers.pop("X-Forwarded-For", None)


@pytest.fixture(scope="session")
def store(stack):
    """Reads the running stack's table directly (for invariant checks: tests/e2e/invariants.py)."""
    from tests.e2e.invariants import Store

    return Store(STACK_AWS["endpoint"])
