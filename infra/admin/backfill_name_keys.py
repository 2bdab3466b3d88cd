"""One-off: rewrite the admin search's name-key items of existing accounts (docs/admin.md).

Accounts created before the name-key items carried the account's summary (issue 18 item 5)
have entries that only index the name: the search would list them with empty fields. Run by
an operator whose AWS credentials may write the stage's table, with the user ids on stdin
(one per line) or as arguments:

    TABLE_NAME=<the stack's TableName output> AWS_REGION=eu-west-3 \\
      .venv/bin/python -m infra.admin.backfill_name_keys < user-ids.txt

The ids come from a DynamoDB export of the table to S3 (the ``USER#<id>`` / ``PROFILE``
items): the application never scans, and an export reads no table capacity. Each account is
rewritten by ``khadamat.dal.users.refresh_name_keys``: its two name-key items put whole in a
transaction that checks the account's summary fields are still those read (a concurrent
change makes it try again), deleted for a deleted account. Safe to run twice, and while the
new build serves: its writers keep the copies equal from then on.
"""

from __future__ import annotations

import argparse
import os
import sys

ATTEMPTS = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("user_ids", nargs="*", help="user ids (default: one per line on stdin)")
    args = parser.parse_args(argv)
    if not os.environ.get("TABLE_NAME"):
        parser.error("TABLE_NAME must name the stage's table (stack output TableName)")

    from khadamat.dal.users import refresh_name_keys

    user_ids = args.user_ids or [line.strip() for line in sys.stdin if line.strip()]
    failed = [user_id for user_id in user_ids
              if not any(refresh_name_keys(user_id) for _ in range(ATTEMPTS))]
    print(f"name keys rewritten: {len(user_ids) - len(failed)}; still changing: {len(failed)}")
    for user_id in failed:
        print(user_id, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
