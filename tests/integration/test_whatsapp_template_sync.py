"""`make whatsapp-templates` (SPEC §16): templates created and submitted through Twilio's Content
API (the SDK's requests checked at its HTTP boundary), SIDs stored in SSM and read back by
delivery through Powertools parameters."""

from __future__ import annotations

import json
import logging

import boto3
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.rest import Client

from khadamat.adapters import whatsapp_content
from khadamat.domain.whatsapp_templates import BOOKING_REQUESTED, TEMPLATES
from khadamat.usecases.whatsapp_templates import sync


class FakeContentApi(HttpClient):
    """Twilio's Content API at the SDK's HTTP boundary: one template exists already."""

    def __init__(self):
        super().__init__(logging.getLogger("fake-content"), False)
        self.requests: list[dict] = []

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        self.requests.append({"method": method, "uri": uri, "data": data})
        if method == "GET" and uri.endswith("/v1/Content"):
            existing = [{"sid": "HX" + "1" * 32, "friendly_name": "khadamat_booking_reminder"}]
            return Response(200, json.dumps({"contents": existing, "meta": {"next_page_url": None,
                                                                           "key": "contents"}}))
        if method == "POST" and uri.endswith("/v1/Content"):
            name = json.loads(data)["friendly_name"] if isinstance(data, str) else data["friendly_name"]
            return Response(201, json.dumps({"sid": "HX" + str(len(self.requests)).zfill(32),
                                             "friendly_name": name}))
        if uri.endswith("/ApprovalRequests/whatsapp"):
            return Response(201, json.dumps({"status": "received"}))
        if uri.endswith("/ApprovalRequests"):
            return Response(200, json.dumps({"whatsapp": {"status": "pending"}}))
        return Response(404, json.dumps({"message": "not found"}))


def test_sync_creates_the_missing_templates_submits_them_and_stores_their_sids(aws, monkeypatch):
    fake = FakeContentApi()
    content = whatsapp_content.TwilioContent(Client("AC" + "2" * 32, "token", http_client=fake))
    report = {row["name"]: row for row in sync(content, "dev", boto3.client("ssm"))}
    assert set(report) == set(TEMPLATES)
    # the existing one is kept, the others created and submitted (UTILITY), all pending
    assert report["khadamat_booking_reminder"]["created"] is False
    assert all(row["created"] for name, row in report.items() if name != "khadamat_booking_reminder")
    assert {row["status"] for row in report.values()} == {"pending"}
    creates = [json.loads(r["data"]) if isinstance(r["data"], str) else r["data"]
               for r in fake.requests if r["method"] == "POST" and r["uri"].endswith("/v1/Content")]
    [requested] = [c for c in creates if c["friendly_name"] == BOOKING_REQUESTED.name]
    assert requested["language"] == "fr" and requested["variables"] == BOOKING_REQUESTED.samples
    actions = requested["types"]["twilio/quick-reply"]["actions"]
    assert [(a["title"], a["id"]) for a in actions] == [("Confirmer", "{{4}}"), ("Refuser", "{{5}}")]
    approvals = [r for r in fake.requests if r["uri"].endswith("/ApprovalRequests/whatsapp")]
    assert len(approvals) == len(TEMPLATES) - 1
    # the SIDs are in SSM, where delivery reads them
    ssm = boto3.client("ssm")
    for name, row in report.items():
        assert ssm.get_parameter(Name=f"/khadamat/dev/whatsapp-templates/{name}")["Parameter"]["Value"] == row["sid"]
    monkeypatch.setenv("STAGE", "dev")
    assert whatsapp_content.content_sid(BOOKING_REQUESTED.name) == report[BOOKING_REQUESTED.name]["sid"]


def test_delivery_reads_the_stages_sid_from_ssm_and_the_local_stage_has_the_stand_ins(aws):
    name = BOOKING_REQUESTED.name
    assert whatsapp_content.content_sid(name) == whatsapp_content.local_content_sid(name)
    report = sync(whatsapp_content.LocalContent(), "local", boto3.client("ssm"))
    assert {row["status"] for row in report} == {"approved"}
    stored = boto3.client("ssm").get_parameter(Name=whatsapp_content.parameter_name(name, "local"))
    assert stored["Parameter"]["Value"] == whatsapp_content.local_content_sid(name)
