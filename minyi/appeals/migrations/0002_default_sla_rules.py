"""Default deadline rules (admin-editable): urgent 1, ordinary 5, complex 10 working days; a
misrouted appeal is returned within 2; an extension adds at most 10."""

from django.db import migrations

DEFAULTS = {"urgent": 1, "ordinary": 5, "complex": 10}


def forwards(apps, schema_editor):
    SlaRule = apps.get_model("appeals", "SlaRule")
    for urgency, days in DEFAULTS.items():
        SlaRule.objects.get_or_create(
            kind="",
            channel="",
            urgency=urgency,
            defaults={"handle_days": days, "return_days": 2, "max_extension_days": 10, "due_soon_days": 1},
        )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
