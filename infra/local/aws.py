"""The embedded AWS: a moto server in its own process, serialised behind one lock.

Run as `python -m infra.local.aws --port N` (N=0 picks a free port). The child
prints exactly one stdout line `MOTO_PORT=<port>` once it is bound.

moto 5.2.5's server is not thread-safe for DynamoDB (TRAPS.md): concurrent
TransactWriteItems answer HTTP 500 and a cancelled transaction restores a
whole-table snapshot over other threads' writes. Every request therefore runs
through `SerialisingMiddleware` (one global lock) unless KHADAMAT_MOTO_UNSAFE=1.

The WSGI app is a middleware chain (see `build_wsgi_app`): add an entry to
`MIDDLEWARES` (outermost first) to put e.g. an S3 presigned-POST policy enforcer
in front of moto.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from infra.local import moto_transactions
from infra.local.s3_post_policy import S3PostPolicyMiddleware

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]
Middleware = Callable[[WsgiApp], WsgiApp]

UNSAFE_ENV = "KHADAMAT_MOTO_UNSAFE"
READY_PREFIX = "MOTO_PORT="


MOTO_LOCK = threading.Lock()  # the one lock every request into moto takes


class SerialisingMiddleware:
    """Runs each request to completion (body read, app called, response drained) under one lock."""

    def __init__(self, app: WsgiApp, lock: threading.Lock | None = None):
        self.app = app
        self.lock = lock or MOTO_LOCK

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        _buffer_request_body(environ)  # read from the socket outside the lock
        with self.lock:
            response = self.app(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                close = getattr(response, "close", None)
                if close:
                    close()


def _buffer_request_body(environ: dict) -> None:
    stream = environ.get("wsgi.input")
    if stream is None:
        return
    length = environ.get("CONTENT_LENGTH")
    if length:
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        return
    environ["wsgi.input"] = io.BytesIO(body)


def default_middlewares() -> list[Middleware]:
    """Outermost first. The lock stays innermost so filters in front of it run concurrently."""
    if os.environ.get(UNSAFE_ENV) == "1":
        print("embedded AWS: KHADAMAT_MOTO_UNSAFE=1, requests are NOT serialised", file=sys.stderr)
        return []
    return [SerialisingMiddleware]


# Extra middlewares placed in front of the defaults (outermost first), e.g. an S3 policy enforcer.
MIDDLEWARES: list[Middleware] = [S3PostPolicyMiddleware]


def build_wsgi_app(extra: list[Middleware] | None = None) -> WsgiApp:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    app: WsgiApp = DomainDispatcherApplication(create_backend_app)
    chain = [*(extra if extra is not None else MIDDLEWARES), *default_middlewares()]
    for middleware in reversed(chain):
        app = middleware(app)
    return app


# ----------------------------------------------------------------- child process


def _quiet_handler_class():
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietRequestHandler(MotoRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            if os.environ.get("KHADAMAT_MOTO_VERBOSE") == "1":
                super().log_request(*args, **kwargs)

    return QuietRequestHandler


def _exit_when_parent_dies(parent_pid: int) -> None:
    while True:
        time.sleep(1)
        if os.getppid() != parent_pid:
            os._exit(0)


def serve(host: str, port: int, parent_pid: int | None) -> None:
    from werkzeug.serving import make_server

    moto_transactions.install()
    server = make_server(host, port, build_wsgi_app(), threaded=True,
                         request_handler=_quiet_handler_class())
    real_port = server.server_address[1]
    os.environ["MOTO_PORT"] = str(real_port)  # moto builds some URLs from it
    if parent_pid:
        threading.Thread(target=_exit_when_parent_dies, args=(parent_pid,), daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"{READY_PREFIX}{real_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Embedded AWS (moto server, serialised)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("MOTO_PORT", "0")))
    parser.add_argument("--parent-pid", type=int, default=None,
                        help="exit when this process is no longer our parent")
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.parent_pid)


# ----------------------------------------------------------------- parent side


class EmbeddedAws:
    """Starts `python -m infra.local.aws` as a subprocess and knows its endpoint."""

    def __init__(self, port: int = 0, env: dict[str, str] | None = None):
        self.requested_port = port
        self.env = env
        self.process: subprocess.Popen | None = None
        self.port: int | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 30) -> str:
        from infra.local.template import REPO_ROOT

        command = [sys.executable, "-m", "infra.local.aws", "--port", str(self.requested_port),
                   "--parent-pid", str(os.getpid())]
        self.process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
            env={**os.environ, **(self.env or {})}, start_new_session=True,
        )
        self.port = self._read_port(timeout_s)
        _wait_until_listening(self.port, timeout_s)
        return self.endpoint

    def _read_port(self, timeout_s: float) -> int:
        found: list[str] = []
        reader = threading.Thread(target=lambda: found.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout_s)
        line = found[0] if found else ""
        if not line.startswith(READY_PREFIX):
            self.stop()
            raise RuntimeError(f"embedded AWS did not start (got {line!r})")
        threading.Thread(target=self._forward_stdout, daemon=True).start()
        return int(line[len(READY_PREFIX):])

    def _forward_stdout(self) -> None:
        """Keep the pipe drained (a full pipe would block moto) and show what moto prints."""
        for line in self.process.stdout:
            sys.stderr.write(f"[embedded AWS] {line}")

    def stop(self, timeout_s: float = 10) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> "EmbeddedAws":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _wait_until_listening(port: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"embedded AWS not answering on port {port}") from None
            time.sleep(0.05)


if __name__ == "__main__":
    main()
