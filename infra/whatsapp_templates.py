"""``make whatsapp-templates STAGE=<stage>``: the WhatsApp templates at Twilio and in SSM (SPEC §16).

STAGE=local: the local Twilio stand-in's Content API (every template approved) and the embedded
AWS's SSM: AWS_ENDPOINT_URL when set (a running `make run` / `make aws`), else an embedded AWS
started for the run. Other stages: Twilio credentials from TWILIO_CREDENTIALS (JSON) or the
Secrets Manager secret named by TWILIO_SECRET_NAME, and the SSM of the current AWS credentials.
"""

from __future__ import annotations

import json
import os
import sys


def _content(stage: str):
    from khadamat.adapters import whatsapp_content

    if stage == "local":
        return whatsapp_content.LocalContent()
    from twilio.rest import Client

    from khadamat import config

    credentials = json.loads(config.secret("TWILIO_CREDENTIALS", "TWILIO_SECRET_NAME"))
    return whatsapp_content.TwilioContent(Client(credentials["accountSid"], credentials["authToken"]))


def main(stage: str) -> int:
    os.environ["STAGE"] = stage
    aws = None
    if stage == "local" and not os.environ.get("AWS_ENDPOINT_URL"):
        from infra.local.aws import EmbeddedAws
        from infra.local.lambda_runtime import FAKE_CREDENTIALS, REGION

        aws = EmbeddedAws()
        os.environ.update({"AWS_ENDPOINT_URL": aws.start(), "AWS_DEFAULT_REGION": REGION, **FAKE_CREDENTIALS})
    try:
        from khadamat.usecases.whatsapp_templates import sync

        report = sync(_content(stage), stage)
    finally:
        if aws is not None:
            aws.stop()
    for row in report:
        print(f"{row['name']:<34} {row.get('category', ''):<15} {row['sid'] or '-':<36} {row['status']}")
    return 1 if any(str(row["status"]).startswith("invalid") for row in report) else 0


if __name__ == "__main__":
    sys.exit(main(os.environ.get("STAGE") or (sys.argv[1] if len(sys.argv) > 1 else "local")))
