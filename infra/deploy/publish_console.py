"""Publish the admin console after `sam deploy` (SAM uploads no static files): sync console/
to the stack's ConsoleBucket under console/, delete what is gone, invalidate /console*.

    .venv/bin/python -m infra.deploy.publish_console --stack khadamat-dev --region eu-west-3
"""

from __future__ import annotations

import argparse
import hashlib
import mimetypes
import time
from pathlib import Path

CONSOLE_DIR = Path(__file__).resolve().parents[2] / "console"
PREFIX = "console/"


def stack_outputs(cloudformation, stack: str) -> dict[str, str]:
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in described.get("Outputs", [])}


def local_files() -> dict[str, Path]:
    return {PREFIX + path.relative_to(CONSOLE_DIR).as_posix(): path
            for path in sorted(CONSOLE_DIR.rglob("*")) if path.is_file()}


def sync(s3, bucket: str) -> tuple[int, int]:
    """Upload changed files (by MD5 = ETag of a single-part upload), delete stale ones."""
    remote = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=PREFIX):
        remote.update({item["Key"]: item["ETag"].strip('"') for item in page.get("Contents", [])})
    uploaded = 0
    for key, path in local_files().items():
        data = path.read_bytes()
        if remote.get(key) == hashlib.md5(data).hexdigest():
            continue
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=kind,
                      CacheControl="no-cache")  # the distribution revalidates: a deploy shows at once
        uploaded += 1
    stale = [key for key in remote if key not in local_files()]
    for start in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in stale[start:start + 1000]]})
    return uploaded, len(stale)


def main(argv: list[str] | None = None) -> int:
    import boto3

    parser = argparse.ArgumentParser(description="publish console/ to the stage's distribution")
    parser.add_argument("--stack", required=True)
    parser.add_argument("--region", default="eu-west-3")
    args = parser.parse_args(argv)
    session = boto3.Session(region_name=args.region)
    outputs = stack_outputs(session.client("cloudformation"), args.stack)
    uploaded, deleted = sync(session.client("s3"), outputs["ConsoleBucketName"])
    session.client("cloudfront").create_invalidation(
        DistributionId=outputs["ConsoleDistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/console*"]},
                           "CallerReference": f"console-{int(time.time())}"})
    print(f"console: {uploaded} file(s) uploaded, {deleted} deleted, cache invalidated → {outputs.get('ConsoleUrl')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
