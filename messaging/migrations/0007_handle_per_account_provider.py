# A Handle is what one provider told one account about an address (messaging/handle_cache.py).
# The old rows were global (a sandbox lookup taught every account's real lines): they are a
# cache, so they are dropped rather than guessed into an account and a provider.
import django.db.models.deletion
from django.db import migrations, models


def drop_handles(apps, schema_editor):
    apps.get_model("messaging", "Handle").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0006_group_participants_key'),
        ('outreach', '0002_idempotencykey'),
    ]

    operations = [
        migrations.RunPython(drop_handles, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='handle',
            name='address',
            field=models.CharField(max_length=254),
        ),
        migrations.AddField(
            model_name='handle',
            name='account',
            field=models.ForeignKey(default=None, on_delete=django.db.models.deletion.CASCADE, related_name='handles', to='outreach.account'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='handle',
            name='provider',
            field=models.CharField(choices=[('sandbox', 'Sandbox (simulated carrier)'), ('bluebubbles', 'BlueBubbles (real iMessage via a Mac)')], default='', max_length=32),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name='handle',
            constraint=models.UniqueConstraint(fields=('account', 'provider', 'address'), name='one_handle_per_provider_address'),
        ),
    ]
