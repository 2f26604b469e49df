import pytest

from services import roles
from tests.factories import make_municipality, make_service, make_theme, make_user


@pytest.fixture
def desk_user(db):
    return make_user(groups=[roles.PHONE_DESK])


@pytest.fixture
def desk_client(client, desk_user):
    client.force_login(desk_user)
    return client


@pytest.fixture
def curator(db):
    return make_user(groups=[roles.NATIONAL_CURATOR])


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def catalogue(db):
    """Two municipalities, a national service, a local one in each, all about 'maatje'."""
    delft = make_municipality("Delft")
    baarn = make_municipality("Baarn")
    theme = make_theme("Eenzaamheid")
    national = make_service(
        "Landelijke maatjeslijn", summary="Een maatje aan de telefoon.", themes=[theme]
    )
    local = make_service(
        "Maatje Delft",
        municipalities=[delft],
        summary="Een maatje bij u in Delft.",
        min_age=18,
        max_age=65,
        referral_required=True,
        themes=[theme],
    )
    other = make_service("Maatje Baarn", municipalities=[baarn], summary="Een maatje in Baarn.")
    return {
        "delft": delft,
        "baarn": baarn,
        "theme": theme,
        "national": national,
        "local": local,
        "other": other,
    }


class _Clock:
    """timezone.now() stopped at a moment, moved on by hand (cards are kept per minute)."""

    def __init__(self, monkeypatch):
        from django.utils import timezone

        self.moment = timezone.now().replace(second=1, microsecond=0)
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def set(self, moment):
        self.moment = moment

    def set_to_last(self, time_of_day):
        """The latest moment at this Amsterdam time of day that has passed (yesterday's while
        today's is ahead): a stopped clock in the future would outlive the test's login
        session, and the desk would answer with the login page."""
        import datetime

        from services import criteria

        now = self.moment.astimezone(criteria.AMSTERDAM)
        moment = datetime.datetime.combine(now.date(), time_of_day, criteria.AMSTERDAM)
        if moment > now:
            moment -= datetime.timedelta(days=1)
        self.moment = moment
        return moment

    def tick(self):
        """The next minute: every card is rendered again."""
        import datetime

        self.moment += datetime.timedelta(minutes=1)


@pytest.fixture
def clock(monkeypatch):
    return _Clock(monkeypatch)
