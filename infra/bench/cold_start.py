"""Cold start: import time of each function's handler module in a fresh interpreter.

Compared with a bare ``import boto3`` measured the same way in the same run (the floor
every Python Lambda touching AWS pays), interleaved with it. Median of ``RUNS`` fresh
processes each. The environment is a deployed stage's (tracing on, as in AWS).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

from infra.local.lambda_runtime import FAKE_CREDENTIALS
from infra.local.template import REGION, Template

RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "5"))
BUDGET_RATIO, AIM_RATIO = 2.0, 1.5

_IMPORT_HANDLER = """
import importlib.util, sys, time
started = time.perf_counter()
spec = importlib.util.spec_from_file_location("handler_under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(time.perf_counter() - started)
"""
_IMPORT_BOTO3 = """
import time
started = time.perf_counter()
import boto3
print(time.perf_counter() - started)
"""


def _environment(template: Template) -> dict[str, str]:
    merged, _conflicts = template.merged_environment()
    return {**os.environ, **merged, **FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION, "STAGE": "dev", "JWT_SECRET_NAME": "bench"}


def _seconds(code: str, args: list[str], env: dict) -> float:
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                         text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def top_imports(handler: Path, env: dict, count: int = 5) -> list[tuple[str, float]]:
    """Where a handler's import time goes: self time summed per top-level package (-X importtime)."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", _IMPORT_HANDLER, str(handler)],
                         env=env, capture_output=True, text=True, check=True).stderr
    totals: dict[str, float] = {}
    for line in out.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \| *(\S+)", line)
        if match:
            package = match.group(2).split(".")[0]
            totals[package] = totals.get(package, 0.0) + int(match.group(1)) / 1e6
    return sorted(totals.items(), key=lambda item: -item[1])[:count]


def measure(template: Template, functions: list | None = None) -> dict:
    """Handler imports interleaved with boto3 imports, so that both see the same machine load."""
    env = _environment(template)
    _seconds(_IMPORT_BOTO3, [], env)  # warm the file cache
    floors, rows = [], []
    for function in functions or template.functions:
        samples = []
        for _ in range(RUNS):
            floors.append(_seconds(_IMPORT_BOTO3, [], env))
            samples.append(_seconds(_IMPORT_HANDLER, [str(function.handler_file)], env))
        rows.append({"function": function.logical_id, "seconds": statistics.median(samples),
                     "file": function.handler_file})
    floor = statistics.median(floors)
    for row in rows:
        row["ratio"] = row["seconds"] / floor
    rows.sort(key=lambda row: -row["seconds"])
    for row in rows[:3]:
        row["imports"] = top_imports(row["file"], env)
    return {"floor": floor, "rows": rows}


def markdown(result: dict) -> list[str]:
    floor, rows = result["floor"], result["rows"]
    worst = max(row["ratio"] for row in rows)
    lines = [
        "## Cold start (handler module import, fresh interpreter)",
        "",
        f"Floor: bare `import boto3` = **{floor * 1000:.0f} ms** (median of {RUNS}). "
        f"Budget ≤ {BUDGET_RATIO}×, aim ≤ {AIM_RATIO}×. Worst: **{worst:.2f}×** "
        f"({'within budget' if worst <= BUDGET_RATIO else 'OVER BUDGET'}"
        f"{', within aim' if worst <= AIM_RATIO else ''}).",
        "",
        "| function | import ms | × boto3 |",
        "|---|---:|---:|",
    ]
    lines += [f"| {row['function']} | {row['seconds'] * 1000:.0f} | {row['ratio']:.2f} |" for row in rows]
    lines += ["", "Worst three: where their import time goes (`python -X importtime`, self ms summed "
              "per top-level package; tracing as in AWS, so `aws_xray_sdk` is imported):", ""]
    for row in rows[:3]:
        imports = ", ".join(f"{name} {seconds * 1000:.0f}" for name, seconds in row["imports"])
        lines.append(f"- {row['function']}: {imports}")
    return lines
