"""WhatsApp templates at Twilio (Content API) and their Content SIDs per stage (SSM), SPEC §16.

Name → Content SID lives in SSM Parameter Store under ``/khadamat/<stage>/whatsapp-templates/<name>``,
read through Powertools parameters (cached 5 minutes). ``make whatsapp-templates STAGE=…``
(khadamat.usecases.whatsapp_templates) creates the missing templates with
``client.content.v1.contents.create``, submits them with ``…contents(sid).approval_create``,
stores the SIDs and prints ``…contents(sid).approval_fetch`` statuses.

The local stand-in (STAGE=local, no TWILIO_CREDENTIALS) accepts the same calls: a template's SID
is derived from its name (``local_content_sid``) and its status is ``approved``; the local stage
reads an absent parameter as that same SID, so a fresh local stack sends templates at once.
"""

from __future__ import annotations

import hashlib

from khadamat import config
from khadamat.adapters.errors import SendFailed
from khadamat.domain.whatsapp_templates import Template

CACHE_SECONDS = 300


def parameter_name(name: str, stage: str | None = None) -> str:
    return f"/khadamat/{stage or config.stage()}/whatsapp-templates/{name}"


def local_content_sid(name: str) -> str:
    return "HX" + hashlib.sha256(name.encode()).hexdigest()[:32]


def content_sid(name: str) -> str:
    """The template's Content SID on this stage (SSM, cached); SendFailed when it is missing
    (the message is retried; docs/notifications.md "Approval workflow")."""
    from aws_lambda_powertools.utilities import parameters  # imported only where used

    try:
        return parameters.get_parameter(parameter_name(name), max_age=CACHE_SECONDS)
    except parameters.exceptions.GetParameterError as error:
        if config.is_local():
            return local_content_sid(name)
        raise SendFailed(f"no Content SID for template {name}: run make whatsapp-templates") from error


def twilio_payload(template: Template) -> dict:
    """The Content API's create request: friendly name, language, samples, one content type."""
    content = {"body": template.body}
    if template.buttons:
        content["actions"] = [{"type": "QUICK_REPLY", "title": b.title, "id": f"{{{{{b.payload_variable}}}}}"}
                              for b in template.buttons]
    return {"friendly_name": template.name, "language": template.language,
            "variables": dict(template.samples), "types": {template.content_type: content}}


class TwilioContent:
    def __init__(self, client):
        self.client = client  # twilio.rest.Client

    def existing(self) -> dict[str, str]:
        return {c.friendly_name: c.sid for c in self.client.content.v1.contents.list()}

    def create(self, template: Template) -> str:
        from twilio.rest.content.v1.content import ContentList

        request = ContentList.ContentCreateRequest(twilio_payload(template))
        return self.client.content.v1.contents.create(content_create_request=request).sid

    def submit(self, sid: str, template: Template) -> str:
        from twilio.rest.content.v1.content.approval_create import ApprovalCreateList

        request = ApprovalCreateList.ContentApprovalRequest(
            {"name": template.name, "category": template.category})
        return self.client.content.v1.contents(sid).approval_create.create(request).status

    def status(self, sid: str) -> str:
        approval = self.client.content.v1.contents(sid).approval_fetch().fetch()
        return (approval.whatsapp or {}).get("status", "unsubmitted")


class LocalContent:
    """The local Twilio stand-in's Content API: every template exists once created, approved."""

    def __init__(self):
        self.created: dict[str, str] = {}

    def existing(self) -> dict[str, str]:
        return dict(self.created)

    def create(self, template: Template) -> str:
        self.created[template.name] = local_content_sid(template.name)
        return self.created[template.name]

    def submit(self, sid: str, template: Template) -> str:
        return "received"

    def status(self, sid: str) -> str:
        return "approved"
