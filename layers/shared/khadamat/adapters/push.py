"""Push notifications through Amazon SNS mobile push, or the local stand-in.

SNS platform applications (created once per account, outside this stack) hold the
provider credentials: PUSH_PLATFORM_ARN_IOS (APNs) for IOS devices, PUSH_PLATFORM_ARN_FCM
(Firebase Cloud Messaging, HTTP v1) for ANDROID and WEB devices. An empty ARN means the
platform is not configured: such pushes are skipped and recorded, never retried forever.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from functools import cache

from khadamat import config
from khadamat.adapters.errors import DeadDeviceToken, SendFailed, Undeliverable
from khadamat.dal import dev
from khadamat.domain.timeutil import to_storage

_PLATFORM_ENV = {"IOS": "PUSH_PLATFORM_ARN_IOS", "ANDROID": "PUSH_PLATFORM_ARN_FCM",
                 "WEB": "PUSH_PLATFORM_ARN_FCM"}


def sns_message(title: str, body: str, data: dict) -> str:
    """One publish for every platform (MessageStructure=json)."""
    apns = {"aps": {"alert": {"title": title, "body": body}, "sound": "default"}, **data}
    fcm = {"fcmV1Message": {"message": {"notification": {"title": title, "body": body},
                                        "data": data}}}
    return json.dumps({"default": body, "APNS": json.dumps(apns), "APNS_SANDBOX": json.dumps(apns),
                       "GCM": json.dumps(fcm)})


@cache
def _sns():
    import boto3

    return boto3.client("sns", region_name=config.region())


class SnsPush:
    def send(self, *, token: str, platform: str, title: str, body: str, data: dict,
             message_id: str, now: datetime) -> str:
        application = os.environ.get(_PLATFORM_ENV.get(platform, ""), "")
        if not application:
            raise Undeliverable(f"push for {platform} is not configured")
        sns = _sns()
        try:
            endpoint = _endpoint(sns, application, token)
            answer = sns.publish(TargetArn=endpoint, MessageStructure="json",
                                 Message=sns_message(title, body, data))
        except sns.exceptions.EndpointDisabledException as error:
            raise DeadDeviceToken("device token disabled") from error
        except DeadDeviceToken:
            raise
        except Exception as error:  # botocore errors: nothing was published
            raise SendFailed(f"sns: {error}") from error
        return answer["MessageId"]


_EXISTING_ENDPOINT = re.compile(r"Endpoint (arn:[^ ]+) already exists with the same Token")


def _endpoint(sns, application: str, token: str) -> str:
    """The token's SNS endpoint. SNS refuses to re-create one whose attributes changed (it
    disabled it after the push service rejected the token): that token is dead."""
    try:
        return sns.create_platform_endpoint(PlatformApplicationArn=application,
                                            Token=token)["EndpointArn"]
    except sns.exceptions.InvalidParameterException as error:
        existing = _EXISTING_ENDPOINT.search(str(error))
        if not existing:
            raise
        attributes = sns.get_endpoint_attributes(EndpointArn=existing.group(1))["Attributes"]
        if attributes.get("Enabled") == "false":
            raise DeadDeviceToken("device token disabled") from error
        return existing.group(1)


class LocalPush:
    def send(self, *, token: str, platform: str, title: str, body: str, data: dict,
             message_id: str, now: datetime) -> str:
        dev.record_sent(f"{to_storage(now)}#{message_id}#PUSH#{token[:32]}", "PUSH",
                        {"messageId": message_id, "token": token, "platform": platform,
                         "title": title, "body": body, "data": data})
        return f"LOCAL-{message_id}"


def sender():
    return LocalPush() if config.is_local() else SnsPush()
