# The staff list's word search (minyi/appeals/words.py, docs/design.md "Search"): a column with the
# words of each appeal, filled for the appeals already stored, and on PostgreSQL a GIN index over it.

from django.db import migrations

import minyi.appeals.words

BATCH = 500

POSTGRESQL_FORWARDS = [
    "CREATE INDEX IF NOT EXISTS appeal_search_words ON appeals_appeal USING gin (search_words)",
]
POSTGRESQL_BACKWARDS = ["DROP INDEX IF EXISTS appeal_search_words"]


def fill_words(apps, schema_editor):
    # The historical model has no save() of ours: the words are computed here, in batches by id.
    Appeal = apps.get_model("appeals", "Appeal")
    rows = Appeal.objects.using(schema_editor.connection.alias).order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).only("pk", "title", "body")[:BATCH])
        if not batch:
            break
        for appeal in batch:
            appeal.search_words = minyi.appeals.words.index_words(appeal.title, appeal.body)
        Appeal.objects.using(schema_editor.connection.alias).bulk_update(batch, ["search_words"])
        last = batch[-1].pk


def index_forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_FORWARDS:
            schema_editor.execute(statement)


def index_backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_BACKWARDS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("appeals", "0007_running_deadline_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="appeal",
            name="search_words",
            field=minyi.appeals.words.SearchWordsField(blank=True, db_default="", default="", editable=False),
        ),
        migrations.RunPython(fill_words, migrations.RunPython.noop),
        migrations.RunPython(index_forwards, index_backwards),
    ]
