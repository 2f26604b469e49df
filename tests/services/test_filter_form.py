"""The catalogue's filter form shares its fields' choices with the declared fields instead
of copying them (services.filters.LenientMultipleChoiceField.__deepcopy__); each request's
form still cleans and reports its own values."""

import pytest
from django.http import QueryDict

from services.catalogue.views import public_services
from services.filters import ServiceFilterSet
from tests.factories import make_municipality, make_service, make_theme


@pytest.mark.django_db
def test_two_requests_share_choices_and_keep_their_own_answers():
    north = make_municipality("Noorddorp")
    theme = make_theme()
    make_service(municipalities=[north], themes=[theme])

    def filterset(query):
        return ServiceFilterSet(
            QueryDict(query), queryset=public_services(), default_municipality=north
        )

    first = filterset(f"thema={theme.slug}&thema=bestaat-niet")
    second = filterset("gemeente=nergens")
    first_form = first.form
    for name in ("thema", "gemeente", "kosten"):
        declared = type(first_form).base_fields[name]
        assert first_form.fields[name] is not declared  # the form's own copy of the field
        assert first_form.fields[name]._choices is declared._choices  # but not of its choices
    assert [slug for slug, _label in first_form.fields["thema"].choices] == [theme.slug]
    assert first.cleaned["thema"] == [theme.slug]
    assert [value for _label, value in first.ignored_values] == ["bestaat-niet"]
    assert [value for _label, value in second.ignored_values] == ["nergens"]
