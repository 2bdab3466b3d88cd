"""Create an ADMIN account in a deployed stage (SPEC §17): the only way, never a public route.

Run by an operator whose AWS credentials may write the stage's table (docs/admin.md):

    TABLE_NAME=<the stack's TableName output> AWS_REGION=eu-west-3 \\
      .venv/bin/python -m infra.admin.create_admin --email ops@khadamat.ma \\
      --phone 0612345678 --first-name Salma --last-name Bennani --operator "$(whoami)"

The password is asked on the terminal (never an argument: shell history). The account and
its audit entry (action ADMIN_CREATE, actor ``script:<operator>``) are one transaction, so
GET /admin/audit shows who made every admin.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--email", required=True)
    parser.add_argument("--phone", help="Moroccan mobile (06/07… or +2126/7…); a placeholder if omitted")
    parser.add_argument("--first-name")
    parser.add_argument("--last-name")
    parser.add_argument("--operator", required=True, help="who runs this (recorded in the audit log)")
    args = parser.parse_args(argv)
    if not os.environ.get("TABLE_NAME"):
        parser.error("TABLE_NAME must name the stage's table (stack output TableName)")
    password = os.environ.get("KHADAMAT_NEW_ADMIN_PASSWORD") or getpass.getpass("Password: ")

    from khadamat import clock
    from khadamat.domain.errors import DomainError
    from khadamat.usecases.admin_accounts import create_admin

    try:
        created = create_admin(email=args.email, password=password, phone=args.phone,
                               first_name=args.first_name, last_name=args.last_name,
                               created_by=f"script:{args.operator}", now=clock.now())
    except DomainError as error:
        print(f"refused: {error.code}: {error.message}", file=sys.stderr)
        return 1
    print(f"admin created: {created['userId']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
