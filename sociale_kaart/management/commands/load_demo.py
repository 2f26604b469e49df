"""Load the demo data: catalogue, optional demo accounts, and the coalition demo."""

from django.core.management.base import BaseCommand

from services import demo


class Command(BaseCommand):
    help = (
        "Load the demo data (taxonomies, municipalities, national offers, Voorbeeldstad and "
        "the coalition demo). Safe to run again: it changes nothing the second time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-users",
            action="store_true",
            help="Also create one demo account per role and print new passwords once.",
        )

    def handle(self, *args, with_users=False, **options):
        for name, count in demo.load_demo().items():
            self.stdout.write(f"{count:6d} {name}")
        if with_users:
            self.write_users(demo.create_demo_users())
        from coalitions.demo import load as load_coalition_demo
        from phonedesk.demo import load as load_phonedesk_demo

        load_coalition_demo(stdout=self.stdout)
        load_phonedesk_demo(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))

    def write_users(self, users):
        for username, password in users:
            if password:
                self.stdout.write(f"Account {username}: password {password}")
            else:
                self.stdout.write(f"Account {username} already exists; password unchanged.")
        if any(password for _username, password in users):
            self.stdout.write(self.style.WARNING("Passwords are shown only now: note them."))
