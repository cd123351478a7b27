"""A campaign's own words for the five slots of the visit checklist (五个一). Visits keep their ticks
in the same five fields, so every existing tick stays in its slot and reads with the campaign's words
(an empty word is the default, the campaign's: 留一张便民联系卡 … 上一堂知行点评课)."""


import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0005_quantities'),
        ('outreach', '0002_visit_uid'),
    ]

    operations = [
        migrations.CreateModel(
            name='CampaignChecklist',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('contact_card', models.CharField(blank=True, max_length=40, verbose_name='Leave a contact card')),
                ('urgent_matter', models.CharField(blank=True, max_length=40, verbose_name='Handle one urgent matter')),
                ('diary', models.CharField(blank=True, max_length=40, verbose_name='Write the diary')),
                ('assistance_plan', models.CharField(blank=True, max_length=40, verbose_name='Make a village assistance plan')),
                ('review_session', models.CharField(blank=True, max_length=40, verbose_name='Give a review class')),
                ('campaign', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='visit_checklist', to='ledger.campaign', verbose_name='campaign')),
            ],
            options={
                'verbose_name': 'visit checklist of a campaign',
                'verbose_name_plural': 'visit checklists of campaigns',
            },
        ),
    ]
