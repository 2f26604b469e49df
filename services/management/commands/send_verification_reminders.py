"""Send the due reminders of verification campaigns. Meant for cron, e.g. daily:

0 8 * * *  cd /app && python manage.py send_verification_reminders
"""

from django.core.management.base import BaseCommand

from services import actions


class Command(BaseCommand):
    help = "Herinnert aanbieders die een controleronde nog niet hebben beantwoord (één keer)."

    def handle(self, *args, **options):
        reminded = actions.campaign_send_reminders()
        for recipient in reminded:
            self.stdout.write(f"{recipient.campaign}: {recipient.organisation} <{recipient.email}>")
        self.stdout.write(self.style.SUCCESS(f"{len(reminded)} herinnering(en) verstuurd."))
