from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("worker", "0003_heartbeat_and_job_request_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="answer",
            field=models.JSONField(blank=True, default=dict, verbose_name="gateway's answer"),
        ),
    ]
