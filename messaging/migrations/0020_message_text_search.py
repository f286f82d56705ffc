"""The inbox's search finds conversations by their messages' text: a trigram index on the
upper-cased content (what ``content__icontains`` compares), so ``LIKE '%term%'`` over
millions of messages is an index scan. PostgreSQL only, as contacts' search index."""
from __future__ import annotations

from django.db import migrations

INDEX = "msg_content_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON messaging_message USING gin (upper(content) gin_trgm_ops)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("messaging", "0019_dashboard_rollups")]

    operations = [migrations.RunPython(create_index, drop_index)]
