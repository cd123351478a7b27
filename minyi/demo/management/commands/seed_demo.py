"""``manage.py seed_demo``: load the demo district 海滨区 (see minyi.demo.org), then print its logins."""

from __future__ import annotations

import argparse
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from minyi.demo import appeals as appeals_demo
from minyi.demo import assistance as assistance_demo
from minyi.demo import evaluation as evaluation_demo
from minyi.demo import exemplars as exemplars_demo
from minyi.demo import insight as insight_demo
from minyi.demo import ledger as ledger_demo
from minyi.demo import org as demo
from minyi.demo import outreach as outreach_demo
from minyi.demo import partybuilding as partybuilding_demo
from minyi.demo import reports as reports_demo
from minyi.demo import study as study_demo
from minyi.demo import symposia as symposia_demo
from minyi.workdays.rules import seed_from_library


def _positive(raw: str) -> int:
    try:
        value = int(raw.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


class Command(BaseCommand):
    help = (
        "Load the synthetic demo district 海滨区 (units, people, demo logins for every role, households). "
        "Does nothing when it is already loaded."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--scale",
            type=_positive,
            metavar="N",
            help="make N households in all (default: 109,200, the campaign's 10.9万)",
        )
        parser.add_argument(
            "--password",
            default=demo.DEMO_PASSWORD,
            help="password of every demo login (default: %(default)s)",
        )
        parser.add_argument("--force", action="store_true", help="run even though DEBUG is off")
        parser.add_argument(
            "--without-appeals", action="store_true", help="load the district only, without demo appeals"
        )
        parser.add_argument(
            "--migrate",
            action="store_true",
            help="bring the database up to date first, in the same process (make run's one database step)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off, so this may be a production database: refusing to load demo data "
                "(pass --force to load it anyway)."
            )
        password: str = options["password"]
        if not password:
            raise CommandError("--password must not be empty.")
        if options["migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        self._seed(options, password)

    def _seed(self, options: dict[str, Any], password: str) -> None:
        try:
            result = demo.seed(households=options["scale"], password=password, stdout=self.stdout)
        except demo.SeedConflict as error:
            raise CommandError(str(error)) from None
        years = seed_from_library()  # idempotent: the official holidays every deployment needs
        if years:
            self.stdout.write(f"Holiday calendar: {min(years)}-{max(years)} loaded from the library.")
        appeals = appeals_demo.seed(appeals=not options["without_appeals"])  # categories always
        if appeals:
            self.stdout.write(
                f"Appeals: {sum(appeals.values())} ({', '.join(f'{k} {n}' for k, n in appeals.items())})"
            )
        campaign = {} if options["without_appeals"] else ledger_demo.seed()  # once; its appeals in bulk
        if campaign:
            made = ", ".join(f"{k} {n:,}" for k, n in campaign.items())
            self.stdout.write(f"Campaign {ledger_demo.CAMPAIGN_NAME}: {made}")
        if not options["without_appeals"]:  # once each, on the campaign: visits, then study
            visits = outreach_demo.seed()
            if visits:
                self.stdout.write(
                    f"Outreach: {visits['visits']:,} visits ({visits['household_visits']:,} to households), "
                    f"{visits['handled_on_spot']:,} difficulties handled on the spot, "
                    f"{visits['sheets']} visit sheets"
                )
            study = study_demo.seed()
            if study:
                self.stdout.write(
                    f"Study: {study['branches']} branches ({study['floating']} floating, "
                    f"{study['temporary']} temporary), {study['members']:,} members "
                    f"({study['mobile']:,} mobile), "
                    f"{study['activities']} activities, {study['sessions']} sessions, "
                    f"{study['attendances']:,} attendances ({study['at_sea']} members at sea), "
                    f"{study['discs']} discs, {study['books']} books"
                )
                self.stdout.write(
                    "  Visit sheets were entered by cadre (渔港镇) and t01-cadre-1 … t07-cadre-1; "
                    "the captains t03fp01-member-1 … t03fp04-member-1 sent the attendance at sea; "
                    "member is responsible for branch T03V01P. Same password."
                )
            self._campaign_extras(password)
        model = insight_demo.seed()  # once, from the labels the demo dispatches left
        if model is not None:
            self.stdout.write(
                f"Category suggestions: model {model.version} trained on {model.training_rows} labels."
            )
        if result["created"]:
            self._summary(result)
            self.stdout.write(self.style.SUCCESS(f"Demo district loaded in {result['seconds']:.1f} s."))
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"The demo district is already loaded ({demo.DISTRICT_NAME}, code {demo.DISTRICT_CODE}); "
                    "nothing changed."
                )
            )
            password = self._known_password(password)
        self._logins(password)

    def _campaign_extras(self, password: str) -> None:
        """The rest of the demo campaign, each once, through its app's rules: symposia, an evaluation form,
        role models, weak village party organisations with their joint branches and tasks, social
        assistance cases, and the map's synthetic boundaries."""
        campaign = ledger_demo.demo_campaign()
        if campaign is None:
            return
        for name, made in (
            ("Symposia", symposia_demo.seed(campaign)),
            ("Evaluation", evaluation_demo.seed(campaign)),
            ("Role models", exemplars_demo.seed(campaign)),
            ("Village party organisations", partybuilding_demo.seed(campaign)),
            ("Social assistance", assistance_demo.seed(campaign, password=password)),
            ("Map boundaries", reports_demo.seed()),
        ):
            if made:
                self.stdout.write(f"{name}: " + ", ".join(f"{k} {n:,}" for k, n in made.items()))

    def _summary(self, result: demo.SeedResult) -> None:
        units = ", ".join(f"{kind} {n}" for kind, n in result["units"].items())
        people = ", ".join(f"{role} {n}" for role, n in result["people"].items())
        self.stdout.write(f"Units:      {sum(result['units'].values())} ({units})")
        self.stdout.write(f"People:     {sum(result['people'].values())} ({people})")
        self.stdout.write(f"Logins:     {result['logins']}")
        self.stdout.write(f"Households: {result['households']:,}")

    def _known_password(self, password: str) -> str:
        """On a repeat run, show the given password only if the demo logins still use it."""
        user = get_user_model().objects.filter(username=demo.SUPERUSER).first()
        # The bare hasher check, not user.check_password, which may re-hash and save: change nothing.
        if user is not None and check_password(password, user.password):
            return password
        return "(set when first loaded)"

    def _logins(self, password: str) -> None:
        rows = [("role", "username", "password", "unit")]
        rows += [(role, username, password, unit) for role, username, unit in demo.demo_logins()]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        for role, username, secret, unit in rows:
            self.stdout.write(
                f"  {role:<{widths[0]}}  {username:<{widths[1]}}  {secret:<{widths[2]}}  {unit}"
            )
        self.stdout.write(
            "  Every unit's handlers and heads can log in too, e.g. zj-handler-1, zj-unit_head-1 "
            "(区住房和城乡建设局), with the same password."
        )
