"""Shared set-up for the curation tests: one small world with every role in it."""

from types import SimpleNamespace

from django import forms
from django.urls import include, path, reverse

from services import roles
from services.models import ErrorReport, Service
from sociale_kaart import urls as project_urls
from tests.factories import make_municipality, make_organisation, make_service, make_user

# The signed-link pages, mounted as the lead will mount them in sociale_kaart/urls.py.
urlpatterns = [
    path("controle/", include("services.curation.urls")),
    *[p for p in project_urls.urlpatterns if getattr(p, "namespace", None) != "curation"],
]


def build_world():
    """Two municipalities, two providers, one service per kind of scope, and one user per role.

    ours      – partner's organisation, local in Here (the curator's municipality)
    neighbour – another organisation, local in Here
    elsewhere – another organisation, local in There (nobody's but the national curator's)
    national  – another organisation, national
    """
    roles.ensure_groups()
    here = make_municipality("Hierdorp")
    there = make_municipality("Daarstad")
    own_org = make_organisation("Eigen Welzijn", email="info@eigen.example")
    other_org = make_organisation("Ander Huis", email="info@ander.example")
    partner = make_user(
        "partner", groups=[roles.PARTNER], is_staff=True, email="partner@eigen.example"
    )
    own_org.users.add(partner)
    curator = make_user("curator", groups=[roles.CURATOR], is_staff=True)
    here.curators.add(curator)
    national_curator = make_user("landelijk", groups=[roles.NATIONAL_CURATOR], is_staff=True)
    phone = make_user("telefoon", groups=[roles.PHONE_DESK], is_staff=True)
    return SimpleNamespace(
        here=here,
        there=there,
        own_org=own_org,
        other_org=other_org,
        partner=partner,
        curator=curator,
        national_curator=national_curator,
        phone=phone,
        ours=make_service("Koffie-ochtend", organisation=own_org, municipalities=[here]),
        neighbour=make_service("Wandelclub", organisation=other_org, municipalities=[here]),
        elsewhere=make_service("Schildercursus", organisation=other_org, municipalities=[there]),
        national=make_service("Luisterlijn", organisation=other_org),
    )


def change_url(service):
    return reverse("admin:services_service_change", args=[service.pk])


def form_data(response, **changes):
    """The POST data an admin add/change page would send unchanged, plus `changes`."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        _put(data, form[name])
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for field in formset.management_form:
            data[field.html_name] = field.value()
        for subform in formset.forms:
            for name in subform.fields:
                _put(data, subform[name])
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _put(data, bound):
    value = bound.value()
    if isinstance(value, bool):
        if value:
            data[bound.html_name] = "on"
        return
    if isinstance(value, list | tuple):
        data[bound.html_name] = [getattr(v, "pk", v) for v in value]
        return
    if value is None:
        if isinstance(bound.field, forms.ModelMultipleChoiceField):
            return
        value = ""
    data[bound.html_name] = getattr(value, "pk", value)


def report(service, state=ErrorReport.State.OPEN):
    return ErrorReport.objects.create(
        service=service, topic=ErrorReport.Topic.OUT_OF_DATE, state=state
    )


def reload(service):
    return Service.objects.get(pk=service.pk)
