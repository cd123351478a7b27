"""``manage.py api_token create --user USERNAME --name NAME | list | revoke PREFIX | integration USERNAME``:
API tokens from the command line (whoever runs manage.py is trusted as an administrator, yet no token
is made for a superuser; each change is audited), and the marking of integration accounts, the only
accounts an administrator may mint tokens for over the API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minyi.api import tokens
from minyi.dates import minute_text


class Command(BaseCommand):
    help = "Create, list or revoke API tokens (the key of a new token is printed once)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a token acting as a user; prints its key once")
        create.add_argument("--user", required=True, help="username the token acts as")
        create.add_argument("--name", required=True, help="what the token is for, e.g. the client's name")
        actions.add_parser("list", help="list the tokens (prefix, name, user, created, last used, revoked)")
        revoke = actions.add_parser("revoke", help="revoke the token with this prefix")
        revoke.add_argument("prefix")
        integration = actions.add_parser(
            "integration", help="mark a login as an integration account (a system, not a person)"
        )
        integration.add_argument("username")
        integration.add_argument("--description", default="", help="which system uses it")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
            try:
                new = tokens.create_token(user=user, name=options["name"], actor=None)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"prefix: {new.token.prefix}")
            self.stdout.write(f"key: {new.key}")
            self.stdout.write("Keep the key now: it is not stored and cannot be shown again.")
        elif action == "list":
            for token in tokens.all_tokens():
                self.stdout.write(
                    "\t".join(
                        [
                            token.prefix,
                            token.name,
                            token.user.get_username(),
                            minute_text(token.created_at),
                            minute_text(token.last_used_at, "-"),
                            f"revoked {minute_text(token.revoked_at)}" if token.revoked_at else "active",
                        ]
                    )
                )
        elif action == "integration":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"No user {options['username']!r}.")
            try:
                tokens.mark_integration(user, description=options["description"], actor=None)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            self.stdout.write(f"{user.get_username()} is an integration account")
        else:
            found = tokens.all_tokens().filter(prefix=options["prefix"]).first()
            if found is None:
                raise CommandError(f"No token with prefix {options['prefix']!r}.")
            tokens.revoke_token(found, actor=None)
            self.stdout.write(f"revoked {found.prefix} ({found.name})")
