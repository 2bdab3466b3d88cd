"""What Twilio Verify does not know: which purpose a code was sent for, and for whom.

Keys:
  OTP#<e164> / BINDING        the number's pending code: purpose, requester (the signed-in
                              caller of VERIFY_PHONE / CHANGE_PHONE), the account the number
                              named at send time, checks made; ttl = the code's expiry
  RESET#<sha256> / RESET      a password-reset token (hashed), used once; ttl 10 minutes
  sends per number: khadamat.dal.limits windows (LIMIT#OTP15M#<e164>, LIMIT#OTPDAY#<e164>)

One binding per number, as Verify keeps one pending verification per number and service:
a new send replaces it (and its check count).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from khadamat.dal import limits
from khadamat.dal.base import BaseItem, conditionally, connection
from khadamat.domain.timeutil import to_storage

SENDS_PER_15_MIN = limits.Limit("OTP15M", 3, timedelta(minutes=15))
SENDS_PER_DAY = limits.Limit("OTPDAY", 10, timedelta(days=1))


class OtpBindingItem(BaseItem):
    purpose = UnicodeAttribute()
    requester_id = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(null=True)
    checks = NumberAttribute(default=0)
    expires_at = UnicodeAttribute()


class ResetTokenItem(BaseItem):
    user_id = UnicodeAttribute()
    expires_at = UnicodeAttribute()


def binding_key(e164: str) -> tuple[str, str]:
    return f"OTP#{e164}", "BINDING"


class NumberTaken(Exception):
    """The number already names an account (CHANGE_PHONE's send checks it in its transaction)."""


def count_send(e164: str, now: datetime, binding: OtpBindingItem | None,
               unless_taken: tuple[str, str] | None = None) -> limits.Verdict:
    """One send of ``e164`` against both windows and, when allowed, its binding: one
    transaction, all or nothing (a refused send leaves no count and no binding).
    ``unless_taken``: a uniqueness key that must not exist (else NumberTaken, nothing written)."""
    windows = [(limit, limits.window_item(limit, e164, now)) for limit in (SENDS_PER_15_MIN, SENDS_PER_DAY)]
    try:
        with TransactWrite(connection=connection()) as tx:
            if unless_taken is not None:  # condition checks go first in pynamodb's order
                tx.condition_check(BaseItem, *unless_taken, condition=BaseItem.PK.does_not_exist())
            for limit, item in windows:
                actions, condition = limits.hit_actions(limit, item)
                tx.update(item, actions=actions, condition=condition)
            if binding is not None:
                tx.save(binding)
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        reasons = error.cancellation_reasons or []
        if unless_taken is not None and reasons and reasons[0] is not None \
                and reasons[0].code == "ConditionalCheckFailed":
            raise NumberTaken() from error
        # pynamodb sends puts before updates; the updates keep their order (15 min, day).
        reasons = (error.cancellation_reasons or [])[-2:]
        day_full = len(reasons) == 2 and reasons[1] is not None and reasons[1].code == "ConditionalCheckFailed"
        limit = SENDS_PER_DAY if day_full else SENDS_PER_15_MIN
        return limits.Verdict(False, limits.retry_after(limit, now))
    return limits.Verdict(True, 0)


def new_binding(e164: str, purpose: str, requester_id: str | None, user_id: str | None,
                expires_at: datetime) -> OtpBindingItem:
    return OtpBindingItem(*binding_key(e164), purpose=purpose, requester_id=requester_id,
                          user_id=user_id, checks=0, expires_at=to_storage(expires_at),
                          ttl=int(expires_at.timestamp()))


def forget_binding(e164: str) -> None:
    OtpBindingItem(*binding_key(e164)).delete()


def count_check(e164: str, purpose: str, requester_id: str | None, now: datetime,
                max_checks: int) -> OtpBindingItem | None:
    """Counts one check of the number's code, before Twilio is asked: only while the binding
    is for this purpose (and requester), unexpired and under ``max_checks``. The binding
    after the count, or None (the code is wrong for this request, expired or dead)."""
    item = OtpBindingItem(*binding_key(e164))
    condition = (OtpBindingItem.PK.exists() & (OtpBindingItem.purpose == purpose)
                 & (OtpBindingItem.checks < max_checks) & (OtpBindingItem.expires_at > to_storage(now)))
    condition &= (OtpBindingItem.requester_id == requester_id) if requester_id \
        else OtpBindingItem.requester_id.does_not_exist()
    return item if conditionally(item.update, actions=[OtpBindingItem.checks.add(1)], condition=condition) else None


def consume(binding: OtpBindingItem, tx: TransactWrite) -> None:
    """The code's effect commits with the binding's deletion: a code works once."""
    tx.delete(binding, condition=OtpBindingItem.PK.exists() & (OtpBindingItem.checks == binding.checks))


def consumed_with(binding: OtpBindingItem, *writes) -> bool:
    """Deletes the binding and applies ``writes`` (callables of the transaction), all or
    nothing; False when the binding changed meanwhile (a concurrent check or a new send)."""
    try:
        with TransactWrite(connection=connection()) as tx:
            consume(binding, tx)
            for write in writes:
                write(tx)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            return False
        raise
    return True


# ---------------------------------------------------------------- password reset tokens
def reset_item(token_hash: str, user_id: str, expires_at: datetime) -> ResetTokenItem:
    return ResetTokenItem(f"RESET#{token_hash}", "RESET", user_id=user_id,
                          expires_at=to_storage(expires_at), ttl=int(expires_at.timestamp()))


def take_reset_token(token_hash: str) -> ResetTokenItem | None:
    """Deletes the token and returns what it held: it works once, even under concurrency."""
    client = connection().client
    try:
        reply = client.delete_item(
            TableName=ResetTokenItem.Meta.table_name,
            Key={"PK": {"S": f"RESET#{token_hash}"}, "SK": {"S": "RESET"}},
            ConditionExpression="attribute_exists(PK)", ReturnValues="ALL_OLD")
    except client.exceptions.ConditionalCheckFailedException:
        return None
    return ResetTokenItem.from_raw_data(reply["Attributes"])
