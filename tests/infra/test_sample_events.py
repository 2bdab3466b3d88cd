"""Every function has its sample event (`make events`; `make invoke FN=…` reads it), and no
event is left behind by a function that is gone."""

from __future__ import annotations

import json

from infra.local.template import REPO_ROOT
from tests.conftest import TEMPLATE

EVENTS = REPO_ROOT / "events"


def test_every_function_has_a_sample_event_and_every_event_a_function():
    functions = {function.logical_id for function in TEMPLATE.functions}
    events = {path.stem for path in EVENTS.glob("*.json")}
    assert sorted(functions - events) == [], "run `make events` and commit events/"
    assert sorted(events - functions) == [], "delete the events of removed functions"
    for path in EVENTS.glob("*.json"):
        json.loads(path.read_text())  # each one parses
