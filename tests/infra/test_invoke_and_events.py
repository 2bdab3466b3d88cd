"""`python -m infra.local.invoke` and `python -m infra.local.make_events` on the fixture template."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.local.make_events import write_missing_events
from infra.local.template import REPO_ROOT, Template

FIXTURE_TEMPLATE = Path(__file__).parent / "fixtures" / "template.yaml"


def run_module(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    env["KHADAMAT_TEMPLATE"] = str(FIXTURE_TEMPLATE)
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def events_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("events")
    write_missing_events(Template(FIXTURE_TEMPLATE), out)
    return out


def test_one_event_file_per_function(events_dir):
    assert sorted(p.name for p in events_dir.iterdir()) == ["EchoFunction.json", "JobFunction.json"]
    http_event = json.loads((events_dir / "EchoFunction.json").read_text())
    assert http_event["version"] == "2.0" and http_event["routeKey"] == "GET /items/{id}"
    assert http_event["pathParameters"] == {"id": "example-id"}
    assert json.loads((events_dir / "JobFunction.json").read_text())["source"] == "aws.events"


def test_existing_event_files_are_kept(events_dir):
    edited = events_dir / "EchoFunction.json"
    edited.write_text('{"hand": "edited"}')
    (events_dir / "JobFunction.json").unlink()
    written = write_missing_events(Template(FIXTURE_TEMPLATE), events_dir)
    assert written == [events_dir / "JobFunction.json"]
    assert json.loads(edited.read_text()) == {"hand": "edited"}


def test_invoke_http_function_with_event_file(tmp_path):
    write_missing_events(Template(FIXTURE_TEMPLATE), tmp_path)
    done = run_module("infra.local.invoke", "EchoFunction", str(tmp_path / "EchoFunction.json"))
    assert done.returncode == 0, done.stderr
    response = json.loads(done.stdout)
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["event"]["pathParameters"] == {"id": "example-id"}


def test_invoke_job_uses_its_schedule_event_and_in_process_aws():
    done = run_module("infra.local.invoke", "JobFunction")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"runs": 1, "source": "aws.events", "mode": None}


def test_invoke_unknown_function_fails():
    done = run_module("infra.local.invoke", "NoSuchFunction")
    assert done.returncode == 2
    assert "EchoFunction" in done.stderr
