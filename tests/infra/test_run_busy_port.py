"""`make run` on a port already in use: one clear line, a non-zero exit, nothing left running."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_busy_port_gives_one_line_naming_it_and_how_to_choose_another():
    moto_port = _free_port()
    with socket.socket() as taken:
        # Given something already listening on the port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "PORT": str(port), "MOTO_PORT": str(moto_port), "KHADAMAT_SEED": "none"}
        env.pop("AWS_ENDPOINT_URL", None)
        # When the local stack is started on it
        run = subprocess.run([sys.executable, "-m", "infra.local.run"], cwd=REPO_ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    # Then it exits non-zero with one line naming the port and PORT=, and no traceback
    assert run.returncode != 0
    lines = [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert str(port) in lines[0] and "PORT=" in lines[0] and "in use" in lines[0]
    # And nothing was left running: the embedded AWS never took its port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", moto_port))
