"""Self-service and privacy over HTTP on the local stack (SPEC §15): PATCH /me, preferences,
the export and the retention job answer through the gateway as in AWS."""

from __future__ import annotations

from tests.e2e.flows import sign_up


def test_self_service_and_export_over_http(stack, http):
    # Given a signed-in client
    user_id, headers = sign_up(stack, http, "CLIENT")
    # When they correct their name and email, and turn WhatsApp off
    patched = http.patch(f"{stack}/me", json={"lastName": "El Amrani", "email": f"x{user_id[:8]}@example.ma"},
                         headers=headers, timeout=10)
    assert patched.status_code == 200, patched.text
    assert patched.json()["lastName"] == "El Amrani"
    assert http.patch(f"{stack}/me", json={"firstName": "evil.example"}, headers=headers,
                      timeout=10).status_code == 422
    prefs = http.put(f"{stack}/me/preferences", json={"whatsapp": False, "push": True, "sms": True},
                     headers=headers, timeout=10)
    assert prefs.status_code == 200 and prefs.json()["whatsapp"] is False
    # Then the export holds the account as GET /me shows it, and the preferences
    export = http.get(f"{stack}/me/export", headers=headers, timeout=30)
    assert export.status_code == 200, export.text
    doc = export.json()
    me = http.get(f"{stack}/me", headers=headers, timeout=10).json()
    assert {k: doc["account"][k] for k in me} == me
    assert doc["preferences"] == {"whatsapp": False, "push": True, "sms": True}


def test_apply_retention_job_answers_its_summary(stack, http):
    job = http.post(f"{stack}/_dev/jobs/apply-retention", timeout=30)
    assert job.status_code == 200, job.text
    assert job.json()["job"] == "apply-retention"
    assert set(job.json()["summary"]) == {"bookingsErased", "more"}


def test_patch_me_fuzzed_as_a_fresh_client_gives_no_5xx(stack, http, tmp_path):
    # PATCH /me is left out of the shared fuzzing run (it would change the admin's login email):
    # the same phases and checks here, as an account of its own.
    import json

    from tests.e2e.test_fuzz import _schemathesis

    document = http.get(f"{stack}/openapi.json", timeout=60).json()
    only_patch_me = {**document, "paths": {"/me": {"patch": document["paths"]["/me"]["patch"]}}}
    document_file = tmp_path / "patch-me.json"
    document_file.write_text(json.dumps(only_patch_me), encoding="utf-8")
    _, headers = sign_up(stack, http, "CLIENT")
    run = _schemathesis(document_file, stack, headers["Authorization"].removeprefix("Bearer "))
    assert run.returncode == 0, (run.stdout + run.stderr)[-6000:]
