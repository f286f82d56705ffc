"""PostgreSQL-only speedups: a trigram index so search's ``LIKE '%term%'`` is an index scan
over millions of contacts, and a GIN index for the tag filter (``tags @> '["x"]'``).
SQLite (embedded mode) keeps plain scans; nothing here runs there."""
from __future__ import annotations

from django.db import migrations

INDEXES = [
    ("contact_search_trgm", "contacts_contact USING gin (search_text gin_trgm_ops)"),
    ("contact_tags_gin", "contacts_contact USING gin (tags jsonb_path_ops)"),
]


def fill_search_text(apps, schema_editor):
    """Contacts written before search_text existed get theirs (same recipe as services)."""
    Contact = apps.get_model("contacts", "Contact")
    for c in Contact.objects.filter(search_text="").iterator():
        digits = "".join(ch for ch in c.e164_number if ch.isdigit())
        parts = [c.first_name, c.last_name, c.email, c.company_name, digits]
        c.search_text = " ".join(p.strip().lower() for p in parts if p and p.strip())
        c.save(update_fields=["search_text"])


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_search_and_imports")]

    operations = [
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
