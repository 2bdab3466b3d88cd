"""Mirror of `sam local invoke`: run one function's handler with an event file.

    python -m infra.local.invoke <LogicalId> [events/<file>.json]

With AWS_ENDPOINT_URL set (e.g. a running `make run`) the handler talks to that
endpoint; otherwise moto runs in-process with the template's resources created
and an empty seed ("none"). Handler logs go to stderr; stdout is only the
response JSON. Without an event file, a schedule's event (jobs) or {} is used.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from infra.local.lambda_runtime import apply_environment, invoke, scheduled_event
from infra.local.resources import in_process_aws
from infra.local.run import run_seed
from infra.local.template import Template


def default_event(template: Template, logical_id: str) -> Any:
    schedules = [s for s in template.schedules if s.function_id == logical_id]
    if schedules:
        return scheduled_event(schedules[0], template.function(logical_id))
    return {}


def invoke_with_embedded_aws(template: Template, logical_id: str, event: Any) -> Any:
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    apply_environment(template, endpoint)
    if endpoint:
        return invoke(template.function(logical_id), event)
    with in_process_aws(template):
        run_seed("none")
        return invoke(template.function(logical_id), event)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Invoke one function of template.yaml locally")
    parser.add_argument("logical_id", help="e.g. HealthFunction")
    parser.add_argument("event_file", nargs="?", type=Path, help="JSON event (default: schedule event or {})")
    args = parser.parse_args(argv)
    template = Template()
    if args.logical_id not in {f.logical_id for f in template.functions}:
        names = ", ".join(sorted(f.logical_id for f in template.functions))
        parser.error(f"unknown function {args.logical_id}; known: {names}")
    event = json.loads(args.event_file.read_text()) if args.event_file else default_event(template, args.logical_id)
    with contextlib.redirect_stdout(sys.stderr):  # keep handler logs off stdout
        result = invoke_with_embedded_aws(template, args.logical_id, event)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
