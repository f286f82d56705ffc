"""List names become unique per account (case aside). Lists that already share a name keep
it for the oldest; the others get " (2)", " (3)"... (a free name), so nothing is lost and
every list stays tellable apart."""
import django.db.models.functions.text
from django.db import migrations, models


def rename_duplicates(apps, schema_editor):
    ContactList = apps.get_model("contacts", "ContactList")
    seen: dict[tuple, set[str]] = {}
    for account_id, name in ContactList.objects.values_list("account_id", "name"):
        seen.setdefault(account_id, set()).add(name.lower())
    kept: set[tuple] = set()
    for lst in ContactList.objects.order_by("account_id", "created_at", "pk").iterator():
        key = (lst.account_id, lst.name.lower())
        if key not in kept:
            kept.add(key)
            continue
        taken = seen[lst.account_id]
        n = 2
        while True:
            suffix = f" ({n})"
            candidate = lst.name[: 200 - len(suffix)] + suffix
            if candidate.lower() not in taken:
                break
            n += 1
        taken.add(candidate.lower())
        kept.add((lst.account_id, candidate.lower()))
        lst.name = candidate
        lst.save(update_fields=["name"])


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0006_import_rows'),
        ('outreach', '0006_roles_people_audit'),
    ]

    operations = [
        migrations.RunPython(rename_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='contactlist',
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower('name'), models.F('account'), name='one_list_name_per_account',
            ),
        ),
    ]
