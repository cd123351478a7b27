"""``manage.py open311_key create NAME`` (prints the new key once), ``list``, ``revoke PREFIX``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from minyi.open311 import keys
from minyi.open311.models import Open311Key


class Command(BaseCommand):
    help = "Create, list and revoke the API keys of Open311 client systems."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a key and print it (shown only this once)")
        create.add_argument("name", help="the client system the key is for")
        actions.add_parser("list", help="list the keys by prefix")
        revoke = actions.add_parser("revoke", help="revoke the key with this prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            if not options["name"].strip():
                raise CommandError(_("Give the key a name."))
            key, raw = keys.create_key(options["name"])
            self.stdout.write(raw)
            self.stderr.write(_("Key %(prefix)s for %(name)s: keep it now, it is not shown again.")
                              % {"prefix": key.prefix, "name": key.name})  # fmt: skip
        elif action == "list":
            for key in Open311Key.objects.all():
                state = (
                    (_("revoked %(date)s") % {"date": f"{key.revoked_at:%Y-%m-%d}"})
                    if key.revoked_at
                    else _("active")
                )
                self.stdout.write(f"{key.prefix}\t{key.created_at:%Y-%m-%d}\t{state}\t{key.name}")
        else:
            try:
                key = keys.revoke_key(options["prefix"])
            except Open311Key.DoesNotExist as exc:
                raise CommandError(
                    _("No key has the prefix %(prefix)s.") % {"prefix": options["prefix"]}
                ) from exc
            self.stdout.write(_("Revoked %(prefix)s (%(name)s).") % {"prefix": key.prefix, "name": key.name})
