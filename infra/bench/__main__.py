"""`make bench` (python -m infra.bench [--no-latency]): writes docs/benchmarks.md."""

from __future__ import annotations

import platform
import sys
from datetime import datetime, timezone

from infra.bench import booking_cost, cold_start, latency, round_trips, scale
from infra.local.lambda_runtime import apply_environment
from infra.local.template import REPO_ROOT, Template

OUTPUT = REPO_ROOT / "docs" / "benchmarks.md"


def main(argv: list[str]) -> None:
    template = Template()
    apply_environment(template, endpoint_url=None)
    print("cold starts ...", flush=True)
    cold = cold_start.measure(template)
    print("round trips ...", flush=True)
    trips = round_trips.measure(template)
    print("scale ...", flush=True)
    scales = scale.measure(template)
    print("cost per booking ...", flush=True)
    cost = booking_cost.measure(template)
    for result in scales:
        if "skipped" in result:
            print(f"  scale check {result['name']} skipped: {result['skipped']}")
    sections = [
        "# Benchmarks", "",
        f"Measured by `make bench` in one run on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"{platform.machine()}, Python {platform.python_version()}, {_cpus()} CPUs. "
        "Regenerate with `make bench`; round trips, scale and cost per booking are checked in CI by "
        "tests/infra/test_budgets.py; cold start and latency are measured here only "
        "(no timed asserts in tests).", "",
        *cold_start.markdown(cold), "", *round_trips.markdown(trips, template), "",
        *scale.markdown(scales), "", *booking_cost.markdown(cost), "",
    ]
    if "--no-latency" not in argv:
        print("latency (local stack, 8 clients) ...", flush=True)
        per_route = {row["route"]: row["requests"] for row in trips}
        sections += [*latency.markdown(latency.measure(template, per_route)), ""]
    OUTPUT.write_text("\n".join(sections), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(REPO_ROOT)}")


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    main(sys.argv[1:])
