# Login delays per user name and client address, and one-time unlock codes (docs/security.md, "Login").
# The old per-user-name locks are short-lived state: they are dropped, not converted.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0002_staff_notices'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.DeleteModel(
            name='LoginThrottle',
        ),
        migrations.CreateModel(
            name='LoginThrottle',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('username', models.CharField(max_length=150, verbose_name='user name')),
                ('address', models.CharField(blank=True, max_length=45, verbose_name='client address')),
                ('failures', models.PositiveIntegerField(default=0, verbose_name='failures in a row')),
                ('last_failure_at', models.DateTimeField(verbose_name='last failure')),
                ('retry_at', models.DateTimeField(blank=True, null=True, verbose_name='next try not before')),
            ],
            options={
                'verbose_name': 'login delay',
                'verbose_name_plural': 'login delays',
                'ordering': ['-last_failure_at'],
                'permissions': [('unlock_login', 'Can clear the login delay of a user')],
                'indexes': [models.Index(fields=['last_failure_at'], name='org_loginthrottle_last')],
                'constraints': [models.UniqueConstraint(fields=('username', 'address'), name='org_loginthrottle_user_address')],
            },
        ),
        migrations.CreateModel(
            name='UnlockCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code_hash', models.CharField(max_length=64)),
                ('created_at', models.DateTimeField()),
                ('expires_at', models.DateTimeField()),
                ('used_at', models.DateTimeField(blank=True, null=True)),
                ('wrong_tries', models.PositiveSmallIntegerField(default=0)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='unlock_codes', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'unlock code',
                'verbose_name_plural': 'unlock codes',
                'indexes': [models.Index(fields=['user', '-created_at'], name='org_unlockcode_user_created')],
            },
        ),
    ]
