"""Resources of template.yaml after the SAM transform (what CloudFormation counts: 500 at most).

Run with the SAM tools venv's python (aws-sam-translator lives there, TRAPS.md):
``.venv-tools/bin/python -m infra.sam_resources`` prints ``{"total": n, "byType": {...}}``.
cfn-lint counts before the transform, `sam validate` not at all.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"


class _NoManagedPolicies:
    """The translator asks IAM for managed policy ARNs by name; the template uses none by name."""

    def load(self) -> dict:
        return {}


def transformed_resources(stage: str = "prod") -> dict:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-3")
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    template = yaml_parse(TEMPLATE.read_text())
    for resource in template["Resources"].values():  # what `sam package` does: code in S3
        properties = resource.get("Properties") or {}
        for name in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(name), str):
                properties[name] = f"s3://bucket/{properties[name].strip('/')}.zip"
    output = transform(template, {"Stage": stage}, _NoManagedPolicies())
    return output["Resources"]


def main() -> None:
    resources = transformed_resources(sys.argv[1] if len(sys.argv) > 1 else "prod")
    by_type = Counter(resource["Type"] for resource in resources.values())
    print(json.dumps({"total": len(resources), "byType": dict(by_type.most_common())}))


if __name__ == "__main__":
    main()
