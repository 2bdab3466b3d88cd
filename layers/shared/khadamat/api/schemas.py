"""Shared pydantic conventions: camelCase on the wire, snake_case in Python."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    # defer_build: a model's validator is built when first used, not at import. An area's
    # models module holds several requests; each function validates one (cold start budget).
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True,
                              str_strip_whitespace=True, defer_build=True)

    def wire(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)


class ErrorBody(ApiModel):
    code: str
    message: str


class ErrorEnvelope(ApiModel):
    error: ErrorBody
