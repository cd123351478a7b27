"""Integration accounts, and the revocation of existing tokens that the token rule (minyi/api/tokens.py,
docs/security.md) no longer allows: a token acting as a superuser, or one minted by someone else for an
account that is not an integration account (there were none before this migration, so every token made
by another user over the API). Tokens made on the command line for an ordinary account stay valid.
Each revocation leaves an audit row naming the owner and the creator."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Q
from django.utils import timezone


def revoke_forbidden_tokens(apps, schema_editor):
    token_model = apps.get_model("api", "ApiToken")
    audit_model = apps.get_model("audit", "AuditEvent")
    integration = apps.get_model("api", "IntegrationAccount").objects.values("user_id")
    forbidden = token_model.objects.filter(revoked_at__isnull=True).filter(
        Q(user__is_superuser=True)
        | (Q(created_by__isnull=False) & ~Q(created_by=F("user")) & ~Q(user__in=integration))
    )
    now = timezone.now()
    for token in forbidden.select_related("user", "created_by"):
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit_model.objects.create(
            at=now,
            action="api.token_revoked",
            object_type="api.apitoken",
            object_id=str(token.pk),
            object_repr=f"{token.name} ({token.prefix}…)"[:200],
            detail={
                "owner": token.user.username,
                "creator": token.created_by.username if token.created_by else "manage.py",
                "revoked_by": "migration api.0002",
                "reason": "superuser" if token.user.is_superuser else "minted for someone else",
            },
        )


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0001_initial"),
        ("audit", "0002_append_only_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="IntegrationAccount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("description", models.CharField(blank=True, max_length=200, verbose_name="description")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="integration_account",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="login",
                    ),
                ),
            ],
            options={"verbose_name": "integration account", "verbose_name_plural": "integration accounts"},
        ),
        migrations.RunPython(revoke_forbidden_tokens, migrations.RunPython.noop),
    ]
