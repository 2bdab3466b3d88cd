"""The single table: base pynamodb model, the four overloaded GSIs, transactions.

Every key of the table is built in khadamat.dal (see docs/architecture.md for the
key design). Connections are created lazily by pynamodb on first use, so moto's
in-process mock intercepts them in tests.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, TypeVar

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from khadamat import config
from khadamat.domain.errors import BadRequest
from khadamat.domain.timeutil import to_storage


class _Meta:
    table_name = os.environ.get("TABLE_NAME", "khadamat")
    region = config.region()
    max_retry_attempts = 3


class GSI1(GlobalSecondaryIndex):
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class GSI2(GlobalSecondaryIndex):
    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    GSI2PK = UnicodeAttribute(hash_key=True)
    GSI2SK = UnicodeAttribute(range_key=True)


class GSI3(GlobalSecondaryIndex):
    class Meta:
        index_name = "GSI3"
        projection = AllProjection()

    GSI3PK = UnicodeAttribute(hash_key=True)
    GSI3SK = UnicodeAttribute(range_key=True)


class GSI4(GlobalSecondaryIndex):
    class Meta:
        index_name = "GSI4"
        projection = AllProjection()

    GSI4PK = UnicodeAttribute(hash_key=True)
    GSI4SK = UnicodeAttribute(range_key=True)


class GSI5(GlobalSecondaryIndex):
    class Meta:
        index_name = "GSI5"
        projection = AllProjection()

    GSI5PK = UnicodeAttribute(hash_key=True)
    GSI5SK = UnicodeAttribute(range_key=True)


class BaseItem(Model):
    """Every item: PK/SK, optional GSI keys (sparse indexes), optional ttl (epoch seconds).

    A model that queries an index declares it itself (``by_x = GSI1()``): pynamodb binds
    an index to the class that declares it, and results come back as that class.
    """

    Meta = _Meta

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)
    GSI3PK = UnicodeAttribute(null=True)
    GSI3SK = UnicodeAttribute(null=True)
    GSI4PK = UnicodeAttribute(null=True)
    GSI4SK = UnicodeAttribute(null=True)
    GSI5PK = UnicodeAttribute(null=True)
    GSI5SK = UnicodeAttribute(null=True)
    ttl = NumberAttribute(null=True)

    def __init_subclass__(cls, **kwargs):
        # pynamodb reuses an inherited connection, whose table description lacks the
        # subclass's indexes ("Table ... has no index: GSI2") once connection() has set
        # BaseItem's: each model keeps its own.
        super().__init_subclass__(**kwargs)
        cls._connection = None


Item = TypeVar("Item", bound=BaseItem)


def get_or_none(model: type[Item], pk: str, sk: str, consistent_read: bool = False) -> Item | None:
    """The item at (pk, sk), None when there is none (pynamodb's GetItem raises instead)."""
    try:
        return model.get(pk, sk, consistent_read=consistent_read)
    except model.DoesNotExist:
        return None


MAX_REF_ID_LENGTH = 64  # longer than any id the API hands out that names an item


@dataclass(frozen=True)
class ItemRef(ABC):
    """An item a request names (its path's id), with what the request already read of it.

    A route reads the item it names in the same BatchGetItem as the caller's account
    (``build_app(prefetch=...)``, khadamat.api.prefetch): the API layer hands over the value
    the request carries, the ref's module owns the key and the item class. ``read_with_caller``:
    that read happened and ``item`` is what it found (None: absent); otherwise ``get()`` reads.
    """

    id: str
    read_with_caller: bool = False
    item: BaseItem | None = None

    model: ClassVar[type[BaseItem]]

    @abstractmethod
    def item_key(self) -> tuple[str, str]:
        """(PK, SK) of the item ``id`` names (a valid id); each ref's module defines it."""

    def key(self) -> tuple[type[BaseItem], str, str] | None:
        """The item to read with the caller; None for a value no item can have."""
        if not 0 < len(self.id) <= MAX_REF_ID_LENGTH:
            return None
        return self.model, *self.item_key()

    def get(self) -> BaseItem | None:
        """The item (None when absent): the one read with the caller, else one read now."""
        if self.read_with_caller:
            return self.item
        key = self.key()
        return get_or_none(*key) if key else None


def conditionally(write: Callable[..., object], *args, **kwargs) -> bool:
    """``write(*args, **kwargs)``: one conditional write (a model's save, update or delete with
    ``condition=``). False when its condition failed, True when written; any other failure raises."""
    try:
        write(*args, **kwargs)
    except (PutError, UpdateError, DeleteError) as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def plain(value) -> dict:
    """A map attribute's value (pynamodb MapAttribute, or an already plain mapping) as a dict."""
    return value.as_dict() if isinstance(value, MapAttribute) else dict(value)


def connection() -> Connection:
    """The low-level connection of the table's models (for calls pynamodb's models lack)."""
    return BaseItem._get_connection().connection


def get_items(keys: list[tuple[type[BaseItem], str, str]]) -> list[BaseItem | None]:
    """Items of any of the table's models in one strongly consistent BatchGetItem (at most 100
    keys; unprocessed keys are asked again), in the order of ``keys``, None where absent."""
    table = BaseItem.Meta.table_name
    wanted = {(pk, sk) for _model, pk, sk in keys}
    pending = [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in wanted]
    found: dict[tuple[str, str], dict] = {}
    while pending:
        reply = connection().client.batch_get_item(
            RequestItems={table: {"Keys": pending, "ConsistentRead": True}})
        for raw in reply.get("Responses", {}).get(table, []):
            found[(raw["PK"]["S"], raw["SK"]["S"])] = raw
        pending = reply.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
    return [model.from_raw_data(found[(pk, sk)]) if (pk, sk) in found else None
            for model, pk, sk in keys]


def oldest_in(index: GlobalSecondaryIndex, hash_key: str, range_key, created_before: datetime | None,
              limit: int, newest_first: bool = False) -> list:
    """A sparse "pending" partition (range key ``<createdAt>#<id>``), oldest first unless asked;
    ``created_before``: only items created before then. A Query, never a scan."""
    condition = range_key < to_storage(created_before) if created_before else None
    return list(index.query(hash_key, condition, limit=limit, scan_index_forward=not newest_first))


def cancellation_codes(error) -> list[str | None]:
    """Per-item codes of a cancelled transaction (in pynamodb's order, see TRAPS.md)."""
    return [reason.code if reason else None for reason in (error.cancellation_reasons or [])]


# ---------------------------------------------------------------- page tokens
@dataclass(frozen=True, slots=True)
class PageScope:
    """What a page token is bound to (SPEC §1): its route, its caller (None on a public
    listing) and its query's filters. A token is honoured only by the same scope."""

    route: str
    caller: str | None
    filters: Mapping[str, object] = field(default_factory=dict)


_TOKEN_VERSION = 1


def _page_token_mac(payload: bytes, scope: PageScope) -> bytes:
    # The scope is signed, not carried: a token names no route, caller or filter, and one
    # issued for another scope fails exactly like a forged one.
    bound = json.dumps([_TOKEN_VERSION, scope.route, scope.caller, dict(scope.filters)],
                       sort_keys=True, separators=(",", ":"), default=str).encode()
    key = config.page_token_secret().encode()
    return hmac.new(key, bound + b"\n" + payload, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_page_token(position: dict | None, scope: PageScope) -> str | None:
    """The one page-token codec of every paged listing: ``position`` (a DynamoDB
    LastEvaluatedKey, or any JSON object saying where the next page starts) signed with
    HMAC-SHA256 over the scope. None when there is no next page."""
    if not position:
        return None
    payload = json.dumps(position, sort_keys=True, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_page_token_mac(payload, scope))}"


def decode_page_token(token: str | None, scope: PageScope) -> dict | None:
    """The position a token issued by ``encode_page_token`` for this same scope holds;
    400 BAD_REQUEST for anything else (forged, altered, another route, caller or filters)."""
    if not token:
        return None
    try:
        payload_text, mac_text = token.split(".")
        payload, mac = _unb64(payload_text), _unb64(mac_text)
    except (ValueError, binascii.Error):
        raise BadRequest("nextToken is not a token this listing returned") from None
    if not hmac.compare_digest(mac, _page_token_mac(payload, scope)):
        raise BadRequest("nextToken is not a token this listing returned for this query")
    position = json.loads(payload)  # signed by us: well-formed
    if not isinstance(position, dict):
        raise BadRequest("nextToken is not a token this listing returned")
    return position
