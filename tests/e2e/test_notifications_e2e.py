"""Notifications endpoints over HTTP on the local stack (SPEC §13, §11).

The booking → WhatsApp flow is added with the bookings endpoints; here the inbox,
devices, the local outbox listing and the redelivery job answer over HTTP.
"""

import uuid


def _signed_in(stack, http) -> str:
    suffix = f"{uuid.uuid4().int % 10**7:07d}"  # +21266…: a valid Moroccan mobile range
    body = {"phone": f"+21266{suffix}", "email": f"n{suffix}@example.ma", "password": "motdepasse1",
            "firstName": "Salma", "lastName": "Idrissi", "role": "CLIENT"}
    from tests.e2e.flows import register

    _user_id, headers = register(stack, http, body)
    return headers["Authorization"].removeprefix("Bearer ")


def test_inbox_and_devices_over_http(stack, http):
    # Given a signed-in client
    headers = {"Authorization": f"Bearer {_signed_in(stack, http)}"}
    # When reading the inbox, Then it is empty and on its last page
    inbox = http.get(f"{stack}/me/notifications?limit=5", headers=headers, timeout=10)
    assert inbox.status_code == 200 and inbox.json() == {"items": [], "nextToken": None}
    # and marking an unknown notification read is a 404
    assert http.post(f"{stack}/me/notifications/{uuid.uuid4()}/read", headers=headers,
                     timeout=10).status_code == 404
    # When registering then removing a device
    device = {"platform": "WEB", "token": f"fcm-web-{uuid.uuid4().hex}"}
    assert http.post(f"{stack}/me/devices", json=device, headers=headers, timeout=10).status_code == 201
    removed = http.delete(f"{stack}/me/devices/{device['token']}", headers=headers, timeout=10)
    # Then it is gone (a second removal finds nothing)
    assert removed.status_code == 204
    assert http.delete(f"{stack}/me/devices/{device['token']}", headers=headers,
                       timeout=10).status_code == 404


def test_dev_outbox_and_redelivery_job_answer(stack, http):
    outbox = http.get(f"{stack}/_dev/outbox", timeout=10)
    assert outbox.status_code == 200 and isinstance(outbox.json()["items"], list)
    job = http.post(f"{stack}/_dev/jobs/redeliver-notifications", timeout=10)
    assert job.status_code == 200
    # (other tests may move the shared clock: only the summary's shape is stable here)
    assert job.json()["job"] == "redeliver-notifications"
    assert set(job.json()["summary"]) == {"redelivered", "failed", "gaveUp"}
