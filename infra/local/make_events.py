"""Write a sample event per function into events/<LogicalId>.json (only missing files).

    python -m infra.local.make_events [--out events]

HTTP functions get an API Gateway HTTP API 2.0 event of their first route
(path parameters filled with "example-<name>", body "{}" for methods that carry
one); scheduled functions get their EventBridge event; others get {}. Existing
files are never overwritten, so hand edits stay.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from infra.local.gateway import build_http_event
from infra.local.lambda_runtime import scheduled_event
from infra.local.template import REPO_ROOT, Function, Template

_BODY_METHODS = ("POST", "PUT", "PATCH")


def sample_path(path: str) -> tuple[str, dict[str, str]]:
    params: dict[str, str] = {}

    def fill(match: re.Match) -> str:
        name = match.group(1).rstrip("+")
        params[name] = f"example-{name}"
        return params[name]

    return re.sub(r"\{([^}]+)\}", fill, path), params


def sample_event(template: Template, function: Function) -> Any:
    routes = [r for r in template.routes if r.function_id == function.logical_id]
    if routes:
        route = routes[0]
        method = "GET" if route.method == "ANY" else route.method
        path, params = ("/", {}) if route.path == "$default" else sample_path(route.path)
        body = b"{}" if method in _BODY_METHODS else b""
        headers = [("host", "127.0.0.1:3000"), ("user-agent", "khadamat-sample"),
                   ("content-type", "application/json")]
        return build_http_event(method, path, "", headers, body, route.route_key, params)
    schedules = [s for s in template.schedules if s.function_id == function.logical_id]
    if schedules:
        return scheduled_event(schedules[0], function)
    return {}


def write_missing_events(template: Template, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for function in template.functions:
        target = out_dir / f"{function.logical_id}.json"
        if target.exists():
            continue
        target.write_text(json.dumps(sample_event(template, function), indent=2) + "\n")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "events")
    args = parser.parse_args(argv)
    written = write_missing_events(Template(), args.out)
    for path in written:
        print(f"wrote {path}")
    print(f"{len(written)} event file(s) written, existing ones kept")


if __name__ == "__main__":
    main()
