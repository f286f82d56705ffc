from django.core.management.base import BaseCommand

from messaging.services import rollups


class Command(BaseCommand):
    help = "Recount the dashboard's rollups from every message (messaging/services/rollups.py)."

    def handle(self, **options):
        rollups.rebuild()
        self.stdout.write("Rollups rebuilt.")
