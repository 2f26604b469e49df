import datetime
import re
from io import StringIO
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from services import roles
from services.models import (
    Language,
    Location,
    Municipality,
    OpeningPeriod,
    Organisation,
    Service,
    SupportType,
    TargetGroup,
    Theme,
)
from services.search import search_queryset

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO.parent / "shared" / "seeds"

# The names in the table of national offers in seed 002 (section "Hulpmiddelen om te zorgen
# voor ondersteuning en activering"); the test below checks them against the seed itself.
NATIONAL_OFFERS = [
    "50 Plusplein",
    "50Plusmatch",
    "50plusser.nl",
    "Autthere",
    "De Luisterlijn",
    "De mensen om mij heen",
    "De Zilverlijn",
    "Eenzaam.nl",
    "Gewoon vriendschap",
    "Klup",
    "Korrelatie",
    "Max 50plusnet.nl",
    "Mezzo Mantelzorglijn",
    "MuseumkaartMatch",
    "NLvoorelkaar",
    "NPV Advieslijn",
    "OOPOEH",
    "Praten over verlies",
    "Samenschatkaart",
    "Seniorplaza.nl",
    "Vijftigplusdating",
    "Vriendstap.nl",
    "Wehelpen",
    "Werkboek Stop eenzaamheid zelf",
]


def load_demo(*args):
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def seed_table():
    """The rows of the national table in seed 002, one string per offer."""
    files = sorted(SEEDS.glob("002_*.txt"))
    if not files:
        pytest.skip(f"the seed texts are not beside the repository ({SEEDS})")
    text = files[0].read_text(encoding="utf-8")
    table = text.split("NaamEssentieDoelgroep\n", 1)[1].split("\n\n", 1)[0]
    return text, table.splitlines()


def model_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


class LoadDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = load_demo()
        cls.voorbeeldstad = Municipality.objects.get(slug="voorbeeldstad")
        cls.local = Service.objects.filter(municipalities=cls.voorbeeldstad)
        cls.national = Service.objects.filter(scope=Service.Scope.NATIONAL)

    def test_output_reports_counts(self):
        self.assertRegex(self.output, r"\d+ diensten")

    def test_loading_twice_changes_nothing(self):
        before = model_counts()
        modified = dict(Service.objects.values_list("slug", "modified"))
        load_demo()
        self.assertEqual(model_counts(), before)
        self.assertEqual(dict(Service.objects.values_list("slug", "modified")), modified)

    def test_does_not_create_users_by_default(self):
        self.assertFalse(get_user_model().objects.exists())

    def test_every_national_offer_of_the_seed_is_there(self):
        _text, rows = seed_table()
        self.assertEqual(len(rows), len(NATIONAL_OFFERS))
        for row, name in zip(rows, NATIONAL_OFFERS, strict=True):
            self.assertTrue(row.startswith(name), (row, name))
        names = set(self.national.values_list("name", flat=True))
        self.assertEqual(names, set(NATIONAL_OFFERS))

    def test_national_offers_use_only_contact_data_from_the_seed(self):
        text, _rows = seed_table()
        lowered = text.lower()
        for service in self.national.select_related("organisation"):
            for value in (service.phone, service.email, service.organisation.phone):
                self.assertTrue(not value or value in text, (service.name, value))
            for url in (service.url, service.organisation.website):
                self.assertTrue(not url or urlparse(url).hostname in lowered, (service.name, url))

    def test_every_national_offer_is_published_and_says_when_contact_details_follow(self):
        self.assertEqual(self.national.count(), 24)
        for service in self.national:
            self.assertEqual(service.status, Service.Status.PUBLISHED, service.name)
            # No invented phone numbers or addresses: a website only where the seed names one.
            self.assertEqual((service.phone, service.email), ("", ""), service.name)
            self.assertEqual(service.contact_pending, not service.url, service.name)
        self.assertEqual(self.national.filter(contact_pending=True).count(), 19)

    def test_seed_costs_are_kept(self):
        workbook = Service.objects.get(name="Werkboek Stop eenzaamheid zelf")
        self.assertEqual(workbook.cost, Service.Cost.PAID)
        self.assertEqual(str(workbook.cost_amount), "12.50")
        self.assertEqual(Service.objects.get(name="Max 50plusnet.nl").cost, Service.Cost.FREE)

    def test_municipalities_of_the_seeds_with_cbs_codes(self):
        self.assertEqual(Municipality.objects.count(), 16)
        self.assertEqual(Municipality.objects.get(slug="amsterdam").cbs_code, "GM0363")
        self.assertEqual(Municipality.objects.get(slug="rotterdam").cbs_code, "GM0599")
        self.assertEqual(self.voorbeeldstad.cbs_code, "")

    def test_support_types_have_plain_descriptions(self):
        slugs = set(SupportType.objects.values_list("slug", flat=True))
        self.assertEqual(
            slugs,
            {
                "praktische-hulp",
                "sociale-vaardigheden",
                "ontmoeten",
                "persoonlijk-contact",
                "zinvolle-rol",
                "iets-te-doen",
                "verwachtingen",
            },
        )
        for model in (SupportType, TargetGroup, Theme):
            self.assertFalse(model.objects.filter(description="").exists(), model)

    def test_voorbeeldstad_has_enough_organisations_and_services(self):
        organisations = Organisation.objects.filter(services__in=self.local).distinct()
        self.assertGreaterEqual(organisations.count(), 8)
        self.assertGreaterEqual(self.local.filter(scope=Service.Scope.LOCAL).count(), 40)

    def test_every_taxonomy_term_is_used_by_a_published_local_service(self):
        published = self.local.published()
        for model, relation in (
            (SupportType, "support_types"),
            (TargetGroup, "target_groups"),
            (Theme, "themes"),
            (Language, "languages"),
        ):
            for term in model.objects.all():
                self.assertTrue(published.filter(**{relation: term}).exists(), term)

    def test_every_choice_is_used_by_a_published_local_service(self):
        published = self.local.published()
        for field, choices in (
            ("format", Service.Format),
            ("frequency", Service.Frequency),
            ("provided_by", Service.ProvidedBy),
            ("cost", Service.Cost),
            ("cost_unit", Service.CostUnit),
        ):
            for value in choices.values:
                if value == "unknown":  # "not known" is for the real national offers only
                    continue
                self.assertTrue(published.filter(**{field: value}).exists(), (field, value))
        for field in ("at_home", "out_of_home", "online", "by_phone"):
            self.assertTrue(published.filter(**{field: True}).exists(), field)
        for field in ("referral_required", "low_income_only"):
            for value in (True, False):
                self.assertTrue(published.filter(**{field: value}).exists(), (field, value))
        for status in Service.Status.values:
            self.assertTrue(self.local.filter(status=status).exists(), status)

    def test_ages_hours_and_verification_vary(self):
        published = self.local.published()
        self.assertTrue(published.filter(min_age=18).exists())
        self.assertTrue(published.filter(min_age__gte=65).exists())
        self.assertTrue(published.filter(min_age__lte=12, max_age__lte=25).exists())
        self.assertTrue(published.filter(min_age=None, max_age=None).exists())
        year_ago = timezone.now() - datetime.timedelta(days=365)
        self.assertTrue(published.filter(verified_at__gte=year_ago).exists())
        self.assertTrue(published.filter(verified_at__lt=year_ago).exists())
        self.assertTrue(self.local.filter(verified_at=None).exists())
        periods = OpeningPeriod.objects.filter(location__service__in=self.local)
        self.assertTrue(periods.filter(weekday__gte=6).exists())
        self.assertTrue(periods.filter(closes__gte=datetime.time(20, 0)).exists())
        locations = Location.objects.filter(service__in=self.local)
        self.assertTrue(locations.filter(wheelchair_accessible=True).exists())
        self.assertTrue(locations.filter(wheelchair_accessible=False).exists())

    def test_every_demo_row_passes_validation(self):
        for service in Service.objects.all():
            service.full_clean()
            service.clean_relations(
                municipalities=service.municipalities.all(),
                target_groups=service.target_groups.all(),
            )
        for location in Location.objects.all():
            location.full_clean()
        for period in OpeningPeriod.objects.all():
            period.full_clean()

    def test_fictional_contact_data_is_on_example_org(self):
        local = Service.objects.filter(scope=Service.Scope.LOCAL).select_related("organisation")
        for service in local:
            for url in (service.url, service.organisation.website):
                self.assertTrue(urlparse(url).hostname.endswith(".example.org"), url)
            for email in (service.email, service.organisation.email):
                self.assertTrue(not email or email.endswith(".example.org"), email)
            self.assertTrue(not service.phone or service.phone.startswith("0123"), service.phone)

    def test_search_fields_are_filled(self):
        service = Service.objects.get(slug="respijtzorg-vrijwilligers")
        self.assertIn("steunpunt mantelzorg", service.search_extra)
        self.assertTrue(search_queryset(Service.objects.published(), "oppas").filter(pk=service.pk))

    def test_another_municipality_sees_its_own_example(self):
        amsterdam = Municipality.objects.get(slug="amsterdam")
        visible = Service.objects.published().for_municipality(amsterdam)
        self.assertTrue(visible.filter(scope=Service.Scope.LOCAL).exists())
        self.assertFalse(visible.filter(municipalities=self.voorbeeldstad).exists())

    def test_national_offers_state_costs_only_where_the_seed_does(self):
        national = Service.objects.filter(scope=Service.Scope.NATIONAL)
        stated = {
            "Werkboek Stop eenzaamheid zelf": Service.Cost.PAID,
            "Max 50plusnet.nl": Service.Cost.FREE,
        }
        for service in national:
            self.assertEqual(
                service.cost, stated.get(service.name, Service.Cost.UNKNOWN), service.name
            )


@pytest.mark.django_db
def test_with_users_creates_one_account_per_role_and_prints_passwords_once():
    output = load_demo("--with-users")
    passwords = dict(re.findall(r"Account (\w+): password (\S+)", output))
    assert set(passwords) == {
        "admin",
        "landelijk",
        "curator",
        "partner1",
        "partner2",
        "telefoon",
        "coordinator",
    }
    users = {user.username: user for user in get_user_model().objects.all()}
    for username, password in passwords.items():
        assert users[username].check_password(password)
    assert users["admin"].is_superuser and users["admin"].is_staff
    expected = {
        "landelijk": roles.NATIONAL_CURATOR,
        "curator": roles.CURATOR,
        "partner1": roles.PARTNER,
        "partner2": roles.PARTNER,
        "telefoon": roles.PHONE_DESK,
        "coordinator": roles.COALITION_COORDINATOR,
    }
    for username, group in expected.items():
        assert users[username].groups.filter(name=group).exists(), username
        assert users[username].is_staff == (username != "telefoon")
    voorbeeldstad = Municipality.objects.get(slug="voorbeeldstad")
    assert voorbeeldstad.curators.filter(username="curator").exists()
    first = users["partner1"].organisations.get()
    second = users["partner2"].organisations.get()
    assert first != second
    assert first.services.filter(municipalities=voorbeeldstad).exists()
    assert second.services.filter(municipalities=voorbeeldstad).exists()

    again = load_demo("--with-users")
    assert not re.search(r"Account \w+: password", again)
    assert not any(password in again for password in passwords.values())
    assert again.count("already exists") == 7
    assert get_user_model().objects.get(username="admin").check_password(passwords["admin"])
