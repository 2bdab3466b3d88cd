"""Every test process sees the environment a function sees on the local stage.

The environment comes from template.yaml itself (same resolver as the local stack),
and is set before any khadamat module is imported (pynamodb reads the table name then).
"""

from infra.local.lambda_runtime import apply_environment
from infra.local.template import Template

TEMPLATE = Template()
apply_environment(TEMPLATE, endpoint_url=None)
