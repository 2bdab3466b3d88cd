"""`make run`: embedded AWS + resources from the template + seed + local HTTP API.

Env: PORT (default 3000, 0 = any free port; a busy port → one line and exit code 1), MOTO_PORT (default 0 = free),
AWS_ENDPOINT_URL (use that endpoint instead of starting the embedded AWS),
KHADAMAT_SEED (default "demo"; "none" starts empty).
"""

from __future__ import annotations

import errno
import importlib
import os
import signal
import sys
import threading

from infra.local import password_cost
from infra.local.aws import EmbeddedAws
from infra.local.gateway import GatewayServer, make_server
from infra.local.lambda_runtime import apply_environment
from infra.local.s3_pump import S3Pump
from infra.local import table_stream
from infra.local.stream_pump import StreamPump
from infra.local.resources import create_resources
from infra.local.template import Template


def run_seed(mode: str) -> None:
    """Call infra.local.seed.seed(mode) when that module exists (the lead owns it)."""
    try:
        seed_module = importlib.import_module("infra.local.seed")
    except ModuleNotFoundError as error:
        if error.name != "infra.local.seed":
            raise
        return
    seed_module.seed(mode)


def start_aws() -> tuple[str, EmbeddedAws | None]:
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        return endpoint, None
    aws = EmbeddedAws(port=int(os.environ.get("MOTO_PORT", "0")))
    return aws.start(), aws


def _stop_on_sigterm(stop: threading.Event) -> None:
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())


class PortBusy(Exception):
    def __init__(self, port: int):
        super().__init__(f"make run: port {port} is already in use; choose another with PORT=<port> "
                         f"(e.g. PORT={port + 1} make run, or PORT=0 for any free port)")


def bind_gateway(template: Template) -> GatewayServer:
    """The API's socket, taken before anything else starts: a busy port stops nothing half-way."""
    port = int(os.environ.get("PORT", "3000"))
    try:
        return make_server(template, port)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise PortBusy(port) from None
        raise


def main() -> None:
    stop = threading.Event()
    _stop_on_sigterm(stop)
    aws = None
    server = None
    pump = None
    s3_pump = None
    try:
        template = Template()
        server = bind_gateway(template)
        endpoint, aws = start_aws()
        apply_environment(template, endpoint)
        password_cost.apply_from_environment()  # the suite's stacks: KHADAMAT_PASSWORD_HASHING=test
        create_resources(None, template)
        table_stream.install()  # the stand-in stream the pump reads (notifications)
        pump = StreamPump(template)
        pump.start()  # runs follow-up tasks and delivers messages, as the table's stream does in AWS
        s3_pump = S3Pump(template)
        s3_pump.start()  # S3 ObjectCreated → the photo processing function, as S3 does in AWS
        run_seed(os.environ.get("KHADAMAT_SEED", "demo"))
        threading.Thread(target=server.serve_forever, name="gateway", daemon=True).start()
        base_url = f"http://127.0.0.1:{server.server_address[1]}"
        os.environ["KHADAMAT_BASE_URL"] = base_url  # local links (Stripe stand-in checkoutUrl)
        print(f"Khadamat API listening on {base_url}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        if pump is not None:
            pump.stop()
        if s3_pump is not None:
            s3_pump.stop()
        if server is not None:
            server.shutdown()
            server.server_close()
        if aws is not None:
            aws.stop()


if __name__ == "__main__":
    try:
        main()
    except PortBusy as busy:  # one line, no traceback: nothing had started yet
        print(busy, file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
