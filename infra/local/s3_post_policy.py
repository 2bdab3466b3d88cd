"""S3 presigned-POST policy enforcement in front of moto (moto enforces none of it, TRAPS.md).

Real S3 checks a browser-based upload (POST of a multipart form to a bucket) against
its signed policy; moto stores whatever arrives. This WSGI middleware does what S3
does before moto sees the request, so that apps meet production behaviour locally:

- the SigV4 signature over the base64 policy (signing key from the fixed fake secret
  of the local stack, see lambda_runtime.FAKE_CREDENTIALS) → 403 SignatureDoesNotMatch
- the policy's expiration → 403 AccessDenied "Invalid according to Policy: Policy expired."
- every condition: exact match ({"f": v} and ["eq", "$f", v]), ["starts-with", "$f", p],
  ["content-length-range", min, max] on the actual file size → 400 EntityTooSmall /
  EntityTooLarge, others → 403 AccessDenied "Invalid according to Policy: Policy Condition failed: ..."
- every form field (except policy, x-amz-signature, file and x-ignore-*) must be covered by
  a condition → 403 AccessDenied "... Extra input fields: ..."

Any other request passes through untouched.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import json
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from infra.local.lambda_runtime import FAKE_CREDENTIALS

FAKE_SECRETS = {FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]: FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]}
UNCHECKED_FIELDS = {"policy", "x-amz-signature", "file"}


class PolicyViolation(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: str):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def _denied(message: str) -> PolicyViolation:
    return PolicyViolation(403, "AccessDenied", message)


def _policy_failed(condition) -> PolicyViolation:
    return _denied(f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}")


# ----------------------------------------------------------------- pure checks


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def check_signature(fields: dict[str, str], secrets: dict[str, str]) -> None:
    if fields.get("x-amz-algorithm") != "AWS4-HMAC-SHA256":
        raise PolicyViolation(400, "InvalidArgument", "Only AWS4-HMAC-SHA256 is supported here")
    try:
        access_key, date, region, service, terminal = fields["x-amz-credential"].split("/")
    except (KeyError, ValueError):
        raise PolicyViolation(400, "InvalidArgument", "Invalid x-amz-credential") from None
    secret = secrets.get(access_key)
    if secret is None:
        raise PolicyViolation(403, "InvalidAccessKeyId",
                              "The AWS Access Key Id you provided does not exist in our records.")
    expected = hmac.new(signing_key(secret, date, region, service), fields["policy"].encode(),
                        hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields.get("x-amz-signature", "")):
        raise PolicyViolation(403, "SignatureDoesNotMatch",
                              "The request signature we calculated does not match the signature "
                              "you provided. Check your key and signing method.")


def decode_policy(encoded: str) -> dict:
    try:
        policy = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        raise PolicyViolation(400, "InvalidPolicyDocument",
                              "Invalid Policy: Invalid JSON.") from None
    if not isinstance(policy, dict) or not isinstance(policy.get("conditions"), list):
        raise PolicyViolation(400, "InvalidPolicyDocument", "Invalid Policy: Invalid conditions.")
    return policy


def check_expiration(policy: dict, now: datetime) -> None:
    try:
        expires = datetime.fromisoformat(str(policy["expiration"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        raise PolicyViolation(400, "InvalidPolicyDocument",
                              "Invalid Policy: Invalid 'expiration' value.") from None
    if now >= expires:
        raise _denied("Invalid according to Policy: Policy expired.")


def check_conditions(conditions: list, fields: dict[str, str], size: int) -> None:
    """``fields``: form fields (lower-case names) plus "bucket"; ``size``: the file's bytes."""
    covered = {"bucket"}
    for condition in conditions:
        if isinstance(condition, dict) and len(condition) == 1:
            (name, value), = condition.items()
            name = name.lower()
            covered.add(name)
            if fields.get(name) != value:
                raise _policy_failed(["eq", f"${name}", value])
        elif isinstance(condition, list) and condition and condition[0] == "content-length-range":
            _check_size(condition, size)
        elif isinstance(condition, list) and len(condition) == 3 and condition[0] in ("eq", "starts-with"):
            operator, variable, value = condition
            name = str(variable).lstrip("$").lower()
            covered.add(name)
            actual = fields.get(name)
            matches = actual == value if operator == "eq" else (
                actual is not None and actual.startswith(value))
            if not matches:
                raise _policy_failed(condition)
        else:
            raise PolicyViolation(400, "InvalidPolicyDocument",
                                  f"Invalid Policy: Invalid Simple-Condition: {json.dumps(condition)}")
    extra = sorted(name for name in fields
                   if name not in covered and name not in UNCHECKED_FIELDS
                   and not name.startswith("x-ignore-"))
    if extra:
        raise _denied(f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")


def _check_size(condition: list, size: int) -> None:
    try:
        _, minimum, maximum = condition
        minimum, maximum = int(minimum), int(maximum)
    except (TypeError, ValueError):
        raise PolicyViolation(400, "InvalidPolicyDocument",
                              "Invalid Policy: Invalid content-length-range.") from None
    if size > maximum:
        raise PolicyViolation(400, "EntityTooLarge",
                              "Your proposed upload exceeds the maximum allowed size",
                              ProposedSize=str(size), MaxSizeAllowed=str(maximum))
    if size < minimum:
        raise PolicyViolation(400, "EntityTooSmall",
                              "Your proposed upload is smaller than the minimum allowed size",
                              ProposedSize=str(size), MinSizeAllowed=str(minimum))


def enforce(fields: dict[str, str], file_name: str | None, size: int, bucket: str,
            now: datetime, secrets: dict[str, str] = FAKE_SECRETS) -> None:
    """Raise PolicyViolation unless S3 would accept this POST upload."""
    fields = {name.lower(): value for name, value in fields.items()}
    if "policy" not in fields:
        raise _denied("Anonymous uploads are not allowed to a private bucket; "
                      "the form must contain a field named 'policy'")
    for required in ("x-amz-signature", "x-amz-credential", "x-amz-algorithm", "key"):
        if required not in fields:
            raise PolicyViolation(400, "InvalidArgument",
                                  f"Bucket POST must contain a field named '{required}'.")
    if file_name is None:
        raise PolicyViolation(400, "InvalidArgument",
                              "POST requires exactly one file upload per request.")
    check_signature(fields, secrets)
    policy = decode_policy(fields["policy"])
    check_expiration(policy, now)
    fields["key"] = fields["key"].replace("${filename}", file_name)
    check_conditions(policy["conditions"], {**fields, "bucket": bucket}, size)


# ----------------------------------------------------------------- WSGI


def error_body(violation: PolicyViolation) -> bytes:
    extra = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in violation.extra.items())
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{violation.code}</Code>'
            f"<Message>{escape(violation.message)}</Message>{extra}"
            f"<RequestId>{uuid.uuid4().hex[:16].upper()}</RequestId>"
            f"<HostId>khadamat-local</HostId></Error>").encode()


def _bucket_of(environ: dict) -> str | None:
    host = (environ.get("HTTP_HOST") or "").split(":")[0]
    path = environ.get("PATH_INFO") or "/"
    first_label = host.split(".")[0]
    if path.strip("/") == "" and "." in host and not first_label.isdigit() and first_label != "s3":
        return first_label  # virtual-hosted style: bucket.s3.<region>.amazonaws.com
    segments = [s for s in path.split("/") if s]
    return segments[0] if len(segments) == 1 else None


def is_post_upload(environ: dict) -> bool:
    return (environ.get("REQUEST_METHOD") == "POST"
            and (environ.get("CONTENT_TYPE") or "").startswith("multipart/form-data")
            and _bucket_of(environ) is not None)


def _read_body(environ: dict) -> bytes:
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    return stream.read(int(length)) if length else stream.read()


def _parse_form(environ: dict, body: bytes) -> tuple[dict[str, str], str | None, int]:
    from werkzeug.exceptions import HTTPException
    from werkzeug.formparser import parse_form_data

    parse_env = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
    try:
        _, form, files = parse_form_data(parse_env, max_form_memory_size=1024 * 1024, silent=False)
    except (HTTPException, ValueError):
        raise PolicyViolation(400, "MalformedPOSTRequest", "The body of your POST request is "
                              "not well-formed multipart/form-data.") from None
    upload = files.get("file")
    size = len(upload.stream.read()) if upload is not None else 0
    return dict(form.items()), (upload.filename or "") if upload is not None else None, size


class S3PostPolicyMiddleware:
    """Refuses, like S3, a presigned POST upload its policy does not allow."""

    def __init__(self, app: Callable, now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.app = app
        self.now = now

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not is_post_upload(environ):
            return self.app(environ, start_response)
        body = _read_body(environ)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        try:
            fields, file_name, size = _parse_form(environ, body)
            enforce(fields, file_name, size, _bucket_of(environ), self.now())
        except PolicyViolation as violation:
            payload = error_body(violation)
            status = {400: "400 Bad Request", 403: "403 Forbidden"}[violation.status]
            start_response(status, [("Content-Type", "application/xml"),
                                    ("Content-Length", str(len(payload)))])
            return [payload]
        environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)
