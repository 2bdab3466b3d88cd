from pathlib import Path

import pytest

from infra.local.template import Template

FIXTURE_TEMPLATE = Path(__file__).parent / "fixtures" / "template.yaml"


@pytest.fixture(scope="session")
def fixture_template() -> Template:
    return Template(FIXTURE_TEMPLATE)
