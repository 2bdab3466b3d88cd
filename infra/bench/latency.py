"""Latency p50/p95 per main endpoint on the local stack, 8 concurrent clients (not in CI).

The stack (`python -m infra.local.run`, own embedded AWS on free ports) is started for the
run. Each endpoint's p50 is set against the raw DynamoDB time it spends: its round trips
per request (round_trips.py) × the p50 of a raw GetItem sent to the same embedded AWS by
8 concurrent clients. moto is no DynamoDB (TRAPS.md): read the ratios, not the absolutes.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from infra.local.template import REGION, REPO_ROOT, physical_name

CLIENTS = 8
PER_CLIENT = int(os.environ.get("BENCH_LATENCY_REQUESTS", "25"))
PASSWORD = "motdepasse1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_stack() -> tuple[subprocess.Popen, str, str]:
    port, moto_port = _free_port(), _free_port()
    env = {**os.environ, "PORT": str(port), "MOTO_PORT": str(moto_port), "PYTHONUNBUFFERED": "1",
           "KHADAMAT_GATEWAY_QUIET": "1"}
    env.pop("AWS_ENDPOINT_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "infra.local.run"], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in process.stdout:
        if "listening on" in line:
            break
    base = f"http://127.0.0.1:{port}"
    return process, base, f"http://127.0.0.1:{moto_port}"


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _load(call) -> tuple[float, float]:
    def client(_n):
        times = []
        with requests.Session() as session:
            for _ in range(PER_CLIENT):
                started = time.perf_counter()
                call(session)
                times.append(time.perf_counter() - started)
        return times

    with ThreadPoolExecutor(CLIENTS) as pool:
        samples = [t for times in pool.map(client, range(CLIENTS)) for t in times]
    return _percentiles(samples)


def _account(base: str) -> dict:
    phone = f"066{uuid.uuid4().int % 10**7:07d}"
    body = {"phone": phone, "email": f"bench-{uuid.uuid4().hex[:8]}@example.ma", "password": PASSWORD,
            "firstName": "Bench", "lastName": "Client", "role": "CLIENT", "acceptTerms": True}
    created = requests.post(f"{base}/auth/signup", json=body, timeout=60).json()
    session = requests.post(f"{base}/auth/login", json={"login": phone, "password": PASSWORD},
                            timeout=60).json()
    return {"id": created["userId"], "phone": phone, **session}


def _refresher(base: str, account: dict):
    """POST /auth/refresh as an app does: each thread its own login chain, each call with the
    token the last one returned (tokens rotate: a reused one revokes its chain), each from its
    own address (the per-IP /auth/* limit)."""
    import random
    import threading

    local = threading.local()

    def refresh(session):
        if getattr(local, "token", None) is None:
            local.token = session.post(f"{base}/auth/login", timeout=60, json={
                "login": account["phone"], "password": PASSWORD}).json()["refreshToken"]
        address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        reply = session.post(f"{base}/auth/refresh", json={"refreshToken": local.token},
                             headers={"X-Forwarded-For": address})
        local.token = reply.json().get("refreshToken") if reply.ok else None
        return reply

    return refresh


def endpoints(base: str, account: dict, routes: set[str]) -> dict[str, callable]:
    auth = {"Authorization": f"Bearer {account['accessToken']}"}
    calls = {
        "GET /health": lambda s: s.get(f"{base}/health"),
        "GET /categories": lambda s: s.get(f"{base}/categories"),
        "GET /me": lambda s: s.get(f"{base}/me", headers=auth),
        "POST /auth/refresh": _refresher(base, account),
        "GET /pros": lambda s: s.get(f"{base}/pros", params={"cityId": "casablanca",
                                                              "categoryId": "plomberie"}),
    }
    return {key: call for key, call in calls.items() if key in routes}


def measure(template, round_trips: dict[str, int]) -> dict:
    import boto3

    process, base, aws = _start_stack()
    try:
        account = _account(base)
        routes = {route.route_key for route in template.routes}
        rows = {key: _load(call) for key, call in endpoints(base, account, routes).items()}
        dynamodb = boto3.client("dynamodb", endpoint_url=aws, region_name=REGION,
                                aws_access_key_id="testing", aws_secret_access_key="testing")
        key = {"PK": {"S": f"USER#{account['id']}"}, "SK": {"S": "PROFILE"}}
        raw = _load(lambda _s: dynamodb.get_item(TableName=physical_name("KhadamatTable"), Key=key))
    finally:
        process.terminate()
        process.wait(15)
    return {"raw": raw, "rows": rows, "round_trips": round_trips}


def markdown(result: dict) -> list[str]:
    raw_p50, raw_p95 = result["raw"]
    lines = ["## Latency on the local stack (8 concurrent clients; not run in CI)", "",
             f"Raw DynamoDB GetItem to the embedded AWS, same load: p50 {raw_p50 * 1000:.1f} ms, "
             f"p95 {raw_p95 * 1000:.1f} ms. {CLIENTS}×{PER_CLIENT} requests per endpoint.", "",
             "| endpoint | p50 ms | p95 ms | DynamoDB requests | raw DynamoDB ms | p50 / raw |",
             "|---|---:|---:|---:|---:|---:|"]
    for key, (p50, p95) in result["rows"].items():
        trips = result["round_trips"].get(key)
        raw = (trips or 0) * raw_p50
        ratio = f"{p50 / raw:.1f}" if raw else "—"
        lines.append(f"| {key} | {p50 * 1000:.1f} | {p95 * 1000:.1f} | {trips if trips is not None else '?'} | "
                     f"{raw * 1000:.1f} | {ratio} |")
    return lines
