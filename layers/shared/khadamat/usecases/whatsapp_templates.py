"""Create, submit and record the WhatsApp templates of one stage (SPEC §16).

``make whatsapp-templates STAGE=<stage>`` (infra/whatsapp_templates.py) calls ``sync``: every
template of khadamat.domain.whatsapp_templates that Twilio's Content API does not have yet is
created and submitted for WhatsApp approval; every SID is stored in SSM under
``/khadamat/<stage>/whatsapp-templates/<name>`` (read by delivery through Powertools parameters);
each template's approval status is returned. A template is never sent before its rules pass.
"""

from __future__ import annotations

import boto3

from khadamat.adapters import whatsapp_content
from khadamat.domain.whatsapp_templates import TEMPLATES, rule_violations


def sync(content, stage: str, ssm=None) -> list[dict]:
    """``content``: adapters.whatsapp_content.TwilioContent or LocalContent."""
    ssm = ssm or boto3.client("ssm")
    existing = content.existing()
    report = []
    for name, template in sorted(TEMPLATES.items()):
        problems = rule_violations(template)
        if problems:
            report.append({"name": name, "sid": None, "status": "invalid: " + "; ".join(problems)})
            continue
        sid = existing.get(name)
        created = sid is None
        if created:
            sid = content.create(template)
            content.submit(sid, template)
        ssm.put_parameter(Name=whatsapp_content.parameter_name(name, stage), Value=sid, Type="String",
                          Overwrite=True)
        report.append({"name": name, "sid": sid, "created": created, "category": template.category,
                       "status": content.status(sid)})
    return report
