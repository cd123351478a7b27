# Binds a stored Idempotency-Key to the request's method as well (path and body were stored already).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0002_integration_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="idempotentresponse",
            name="method",
            field=models.CharField(default="POST", max_length=10),
        ),
    ]
