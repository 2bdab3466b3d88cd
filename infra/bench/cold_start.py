"""Cold start: import time of each function's handler module in a fresh interpreter.

Compared with a bare ``import boto3`` measured the same way in the same run (the floor
every Python Lambda touching AWS pays): ``RUNS`` pairs per function, a boto3 import then
the handler's, each in a fresh process, after one discarded warm-up (file cache); the ratio
is the median of the pairs' ratios, so load drifting during the run cancels out.

Measured as the function runs in AWS (docs/quality.md, "Cold start"):

- the packages are the layer's, not the dev venv's: ``layers/shared/requirements.txt``
  installed once into ``.local/bench-layer/<hash>/`` with boto3/botocore at the dev pins
  (the runtime's), run with ``python -S`` so that dev-only packages (moto, cryptography…)
  are not importable; byte-compiled, as the layer build ships them (the shared code and the
  handlers are compiled too). If that install fails, the dev venv is used and the report
  says so;
- the environment is the Lambda runtime's (``LAMBDA_TASK_ROOT`` and co.) with X-Ray tracing
  active, not the local stack's, which disables tracing and metrics.

Next to the import, the work an HTTP function's first request adds before it can validate
anything is timed in the same process: building the Powertools validation of its routes
(pydantic schemas of the body and parameters). The budget applies to the import; the extra
column shows what lazy building (``defer_build``) moved out of it.
"""

from __future__ import annotations

import compileall
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from infra.local.lambda_runtime import FAKE_CREDENTIALS
from infra.local.template import REGION, REPO_ROOT, Function, Template

RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "7"))
TRACING = os.environ.get("BENCH_TRACING", "on") != "off"  # off: the same without the Tracer's work
BUDGET_RATIO, AIM_RATIO = 2.0, 1.5
SHARED_CODE = REPO_ROOT / "layers" / "shared"
LAYER_REQUIREMENTS = SHARED_CODE / "requirements.txt"
RUNTIME_PACKAGES = ("boto3", "botocore")  # in the Lambda runtime, not in the layer

_IMPORT_HANDLER = """
import importlib.util, sys, time
started, cpu_started = time.perf_counter(), time.process_time()
spec = importlib.util.spec_from_file_location("handler_under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
imported, cpu_imported = time.perf_counter(), time.process_time()
"""
_THEN_FIRST_REQUEST_BUILD = """
app = getattr(module, "app", None)
for route in getattr(app, "_static_routes", []) + getattr(app, "_dynamic_routes", []):
    dependant = route.dependant  # what the first request builds to validate (cached after)
    for field in (dependant.path_params + dependant.query_params + dependant.header_params
                  + dependant.cookie_params + dependant.body_params):
        field._type_adapter.rebuild()  # builds a deferred schema; no-op once built
print(imported - started, cpu_imported - cpu_started, time.perf_counter() - imported)
"""
_IMPORT_BOTO3 = """
import time
started, cpu_started = time.perf_counter(), time.process_time()
import boto3
print(time.perf_counter() - started, time.process_time() - cpu_started)
"""
# The design card's libraries with none of our code: the Powertools resolver with validation,
# its logger/tracer/metrics as observability.py builds them, a pydantic model, pynamodb's model
# and transactions. What any handler on this stack pays before its own first line.
_IMPORT_STACK = """
import time
started, cpu_started = time.perf_counter(), time.process_time()
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite
Logger(), Tracer(patch_modules=("botocore",)), Metrics()
APIGatewayHttpResolver(enable_validation=True)
print(time.perf_counter() - started, time.process_time() - cpu_started)
"""

# Settings of the local stack (infra/local/lambda_runtime.py) that a deployed function never has.
_LOCAL_ONLY = ("POWERTOOLS_TRACE_DISABLED", "POWERTOOLS_METRICS_DISABLED", "AWS_XRAY_SDK_ENABLED",
               "AWS_ENDPOINT_URL", "JWT_SECRET", "PYTHONPATH")


def _environment(template: Template, function: Function, site: Path | None) -> dict[str, str]:
    """What the function sees in AWS when its module is imported.

    The X-Ray SDK and Powertools read these at import: without ``LAMBDA_TASK_ROOT`` the SDK
    builds a botocore X-Ray client for centralized sampling (~150 ms) and the Tracer
    disables itself (no patching), neither of which happens in Lambda.
    """
    merged, _conflicts = template.merged_environment()
    inherited = {key: value for key, value in os.environ.items() if key not in _LOCAL_ONLY}
    lambda_runtime = {
        "LAMBDA_TASK_ROOT": str(function.code_dir), "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12", "_HANDLER": function.handler,
        "AWS_LAMBDA_FUNCTION_NAME": function.physical_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        # Tracing: Active (template Globals)
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR", "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
    }
    if not TRACING:
        lambda_runtime["POWERTOOLS_TRACE_DISABLED"] = "true"
    if site is not None:
        lambda_runtime["PYTHONPATH"] = os.pathsep.join([str(SHARED_CODE), str(site)])
    return {**inherited, **merged, **function.environment, **lambda_runtime, **FAKE_CREDENTIALS,
            "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "STAGE": "dev",
            "JWT_SECRET_NAME": "bench"}


def layer_site() -> Path | None:
    """The layer's packages (plus the runtime's boto3), installed once; None if pip fails."""
    runtime_pins = [line.strip() for line in (REPO_ROOT / "requirements-dev.txt").read_text().splitlines()
                    if line.split("==")[0].strip() in RUNTIME_PACKAGES]
    digest = hashlib.sha256(LAYER_REQUIREMENTS.read_bytes() + "\n".join(runtime_pins).encode())
    site = REPO_ROOT / ".local" / "bench-layer" / digest.hexdigest()[:12]
    if (site / ".complete").exists():
        return site
    shutil.rmtree(site, ignore_errors=True)
    print(f"  installing the layer's packages into {site.relative_to(REPO_ROOT)} (once) ...", flush=True)
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                           "--target", str(site), "-r", str(LAYER_REQUIREMENTS), *runtime_pins],
                          capture_output=True, text=True)
    if done.returncode != 0:
        print(f"  layer install failed, measuring in the dev venv instead:\n{done.stderr[-2000:]}")
        return None
    compileall.compile_dir(site, quiet=1)  # pip compiles already; this covers what it skipped
    (site / ".complete").touch()
    return site


def _python(site: Path | None) -> list[str]:
    return [sys.executable, "-S"] if site is not None else [sys.executable]


def _run(command: list[str], env: dict) -> list[float]:
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return [float(value) for value in out.stdout.strip().splitlines()[-1].split()]


def _byte_compile(functions: list[Function]) -> None:
    """The .pyc files the layer build ships (template.yaml SharedLayer, layers/shared/Makefile)."""
    compileall.compile_dir(SHARED_CODE / "khadamat", quiet=1)
    for function in functions:
        compileall.compile_file(function.handler_file, quiet=1)


def top_imports(handler: Path, env: dict, site: Path | None = None,
                count: int = 5) -> list[tuple[str, float]]:
    """Where a handler's import time goes: self time summed per top-level package (-X importtime)."""
    out = subprocess.run([*_python(site), "-X", "importtime", "-c", _IMPORT_HANDLER, str(handler)],
                         env=env, capture_output=True, text=True, check=True).stderr
    totals: dict[str, float] = {}
    for line in out.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \| *(\S+)", line)
        if match:
            package = match.group(2).split(".")[0]
            totals[package] = totals.get(package, 0.0) + int(match.group(1)) / 1e6
    return sorted(totals.items(), key=lambda item: -item[1])[:count]


def measure(template: Template, functions: list | None = None, runs: int = RUNS) -> dict:
    """Each handler import paired with a boto3 import just before it (same machine load).

    A function's ratio is the median over its runs of (handler / the boto3 of the same pair):
    pairing cancels the load drifting between functions. The stack floor is measured once per
    function, interleaved; its median over the run is the "own ms" reference.
    """
    functions = functions or template.functions
    site = layer_site()
    _byte_compile(functions)
    python = _python(site)
    floors, stack_floors, rows = [], [], []
    for function in functions:
        env = _environment(template, function, site)
        handler = [*python, "-c", _IMPORT_HANDLER + _THEN_FIRST_REQUEST_BUILD, str(function.handler_file)]
        _run(handler, env)  # warm-up (file cache), not counted
        stack_floors.append(_run([*python, "-c", _IMPORT_STACK], env))
        pairs = []
        for _ in range(runs):
            pairs.append((_run([*python, "-c", _IMPORT_BOTO3], env), _run(handler, env)))
        floors += [boto3 for boto3, _handler in pairs]
        samples = [sample for _boto3, sample in pairs]
        rows.append({"function": function.logical_id,
                     "seconds": statistics.median(sample[0] for sample in samples),
                     "cpu_seconds": statistics.median(sample[1] for sample in samples),
                     "ratio": statistics.median(sample[0] / boto3[0] for boto3, sample in pairs),
                     "cpu_ratio": statistics.median(sample[1] / boto3[1] for boto3, sample in pairs),
                     "validation_build": statistics.median(sample[2] for sample in samples),
                     "file": function.handler_file, "env": env})
    floor = statistics.median(sample[0] for sample in floors)
    cpu_floor = statistics.median(sample[1] for sample in floors)
    stack_floor = statistics.median(sample[0] for sample in stack_floors)
    for row in rows:
        row["own_seconds"] = row["seconds"] - stack_floor
    rows.sort(key=lambda row: -row["ratio"])
    for row in rows[:3]:
        row["imports"] = top_imports(row["file"], row["env"], site)
    return {"floor": floor, "cpu_floor": cpu_floor, "stack_floor": stack_floor, "rows": rows,
            "packages": "layer" if site else "dev venv", "runs": runs}


def markdown(result: dict) -> list[str]:
    floor, rows = result["floor"], result["rows"]
    worst = max(row["ratio"] for row in rows)
    packages = ("the layer's packages (`layers/shared/requirements.txt`, boto3 at the runtime pin), "
                "byte-compiled" if result.get("packages") == "layer"
                else "**the dev venv's packages** (the layer install failed: numbers are pessimistic)")
    lines = [
        "## Cold start (handler module import, fresh interpreter)",
        "",
        f"Floor: bare `import boto3` = **{floor * 1000:.0f} ms** (median of all pairs). "
        f"Budget ≤ {BUDGET_RATIO}×, aim ≤ {AIM_RATIO}×. Worst: **{worst:.2f}×** "
        f"({'within budget' if worst <= BUDGET_RATIO else 'OVER BUDGET'}"
        f"{', within aim' if worst <= AIM_RATIO else ''})"
        + (f"; {result['runs']} pair(s) per function: indicative, the figures of record are "
           "docs/benchmarks.md's (`make bench`)." if result["runs"] < RUNS else "."),
        "",
        f"As in AWS: Lambda runtime environment, X-Ray tracing "
        f"{'active' if TRACING else '**disabled** (BENCH_TRACING=off)'}, {packages}. "
        f"CPU × boto3: the same ratio in CPU time (floor {result['cpu_floor'] * 1000:.0f} ms), "
        "steadier when the machine is busy. × boto3: the median over the function's "
        f"{result['runs']} pairs of (its import / the boto3 import just before it). "
        "\"+ first request\": building the routes' request "
        "validation (pydantic), which the first request of a fresh instance pays after the "
        "import (docs/quality.md).",
        "",
        f"Stack floor: the design card's libraries alone, none of our code (Powertools resolver "
        f"with validation + Logger/Tracer/Metrics, pydantic, pynamodb model and transactions; "
        f"`_IMPORT_STACK`) = **{result['stack_floor'] * 1000:.0f} ms = "
        f"{result['stack_floor'] / floor:.2f}× boto3**, measured interleaved the same way. "
        "\"own ms\": a handler's import minus that floor, i.e. what our code adds.",
        "",
        "| function | import ms | × boto3 | CPU × boto3 | own ms | + first request ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {row['function']} | {row['seconds'] * 1000:.0f} | {row['ratio']:.2f} "
              f"| {row['cpu_ratio']:.2f} | {row['own_seconds'] * 1000:.0f} "
              f"| {row['validation_build'] * 1000:.0f} |" for row in rows]
    lines += ["", "Worst three: where their import time goes (`python -X importtime`, self ms summed "
              "per top-level package; tracing as in AWS, so `aws_xray_sdk` is imported):", ""]
    for row in rows[:3]:
        imports = ", ".join(f"{name} {seconds * 1000:.0f}" for name, seconds in row["imports"])
        lines.append(f"- {row['function']}: {imports}")
    return lines


def main(argv: list[str]) -> None:
    """CI (`make bench-imports`): every handler imports with only the layer's packages in the
    Lambda runtime's environment (a failing import fails the run), figures printed. The
    figures of record come from `make bench` (more pairs, a quiet machine), or from this with
    ``--write`` (this section of docs/benchmarks.md only); none is asserted."""
    from infra.local.lambda_runtime import apply_environment

    template = Template()
    apply_environment(template, endpoint_url=None)
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else RUNS
    lines = markdown(measure(template, runs=runs))
    print("\n".join(lines))
    if "--write" in argv:
        write_section(lines)


def write_section(lines: list[str]) -> None:
    """``--write``: replace docs/benchmarks.md's cold start section with this run's (the other
    sections keep their `make bench` figures), dated, when only the cold start was measured."""
    from datetime import datetime, timezone

    output = REPO_ROOT / "docs" / "benchmarks.md"
    text = output.read_text(encoding="utf-8")
    start = text.index("## Cold start")
    end = text.index("\n## ", start + 1) + 1
    dated = [lines[0], "", f"Measured alone (`python -m infra.bench.cold_start --write`) on "
             f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.", *lines[1:]]
    output.write_text(text[:start] + "\n".join(dated) + "\n\n" + text[end:], encoding="utf-8")
    print(f"wrote the cold start section of {output.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
