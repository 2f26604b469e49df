"""The provider's check page behind a campaign link: the public record in sections.

Each section shows what the public page shows (the same template includes) and has its own
structured form for "Dit klopt niet". Every form only builds a snapshot (services.snapshots)
of the service as proposed; actions.campaign_propose puts it in the curators' review queue.
Nothing here is written to the live service.
"""

from dataclasses import dataclass

from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from services import snapshots
from services.models import ActivitySession, Location, OpeningPeriod, Service
from services.numbers import DutchDecimalField


def dutch_blank(field, **kwargs):
    """A model field's form field with a Dutch empty choice (Django 6.1's own is English)."""
    formfield = field.formfield(**kwargs)
    if isinstance(formfield, forms.ModelChoiceField):
        formfield.empty_label = BLANK
    elif isinstance(formfield, forms.TypedChoiceField) and formfield.choices:
        first = list(formfield.choices)[0]
        if first[0] in ("", None):
            formfield.choices = [("", BLANK), *list(formfield.choices)[1:]]
    return formfield


BLANK = _("– Kies –")


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple = ()  # the service's own fields this section's form edits


SECTIONS = (
    Section(
        "wat",
        _("Wat en voor wie"),
        ("name", "summary", "essence", "min_age", "max_age"),
    ),
    Section("kosten", _("Kosten"), ("cost", "cost_amount", "cost_unit", "cost_text")),
    Section("wanneer", _("Wanneer")),
    Section("waar", _("Waar")),
    Section("contact", _("Contact"), ("phone", "email", "url")),
    Section(
        "aanmelden",
        _("Aanmelden"),
        ("how_to_apply", "conditions", "wait_time", "referral_required"),
    ),
)
BY_KEY = {section.key: section for section in SECTIONS}


def section_form_class(section):
    """A ModelForm over the section's fields: radio buttons for short choices, Dutch amounts."""
    widgets = {}
    for name in section.fields:
        field = Service._meta.get_field(name)
        if field.choices and len(field.choices) <= 6:
            widgets[name] = forms.RadioSelect
    field_classes = {"cost_amount": DutchDecimalField} if "cost_amount" in section.fields else {}
    return forms.modelform_factory(
        Service,
        fields=section.fields,
        widgets=widgets,
        field_classes=field_classes,
        formfield_callback=dutch_blank,
    )


SessionFormSet = modelformset_factory(
    ActivitySession,
    fields=snapshots.SESSION_FIELDS,
    extra=1,
    can_delete=True,
    formfield_callback=dutch_blank,
    widgets={
        "start_date": forms.DateInput(attrs={"type": "date"}),
        "end_date": forms.DateInput(attrs={"type": "date"}),
        "signup_deadline": forms.DateInput(attrs={"type": "date"}),
        "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        "ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    },
)
HoursFormSet = modelformset_factory(
    OpeningPeriod,
    fields=("weekday", "opens", "closes"),
    extra=1,
    can_delete=True,
    formfield_callback=dutch_blank,
    widgets={
        "opens": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        "closes": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    },
)
ADDRESS_FIELDS = ("name", "address", "postcode", "place", "wheelchair_accessible", "accessibility")
AddressFormSet = modelformset_factory(Location, fields=ADDRESS_FIELDS, extra=0, can_delete=False)


class SectionProposal:
    """The form(s) of one section for one service, bound to POST data or not.

    `forms` is what the template shows: [(heading or None, form or formset)].
    `proposed()` is the service as a snapshot with this section's changes (after is_valid).
    """

    def __init__(self, section, service, data=None):
        self.section = section
        self.service = service
        self.base = snapshots.snapshot(service)
        locations = list(service.locations.order_by("pk"))
        self.parts = []
        if section.fields:
            # A separate copy: the form writes the proposed values into it; it is never saved.
            copy = Service.objects.get(pk=service.pk)
            self.parts.append(("fields", None, section_form_class(section)(data, instance=copy)))
        elif section.key == "wanneer":
            sessions = SessionFormSet(data, queryset=service.sessions.order_by("pk"), prefix="keer")
            for form in sessions.forms:
                form.fields["location"].queryset = service.locations.order_by("pk")
            self.parts.append(("sessions", _("Wanneer het plaatsvindt"), sessions))
            for location in locations:
                hours = HoursFormSet(
                    data,
                    queryset=location.opening_periods.order_by("weekday", "opens"),
                    prefix=f"uren-{location.pk}",
                )
                heading = _("Openingstijden van %(name)s") % {"name": location.name}
                self.parts.append((("hours", location), heading, hours))
        elif section.key == "waar":
            addresses = AddressFormSet(
                data, queryset=service.locations.order_by("pk"), prefix="plek"
            )
            self.parts.append(("addresses", None, addresses))

    @property
    def forms(self):
        return [(heading, form) for _kind, heading, form in self.parts]

    def is_valid(self):
        # Every form is validated, so all of their errors show at once.
        results = [form.is_valid() for _kind, _heading, form in self.parts]
        return all(results)

    def proposed(self):
        data = {
            "fields": dict(self.base["fields"]),
            "m2m": dict(self.base["m2m"]),
            snapshots.LOCATIONS: [dict(i) for i in self.base[snapshots.LOCATIONS]],
            snapshots.SESSIONS: list(self.base[snapshots.SESSIONS]),
        }
        by_id = {item["id"]: item for item in data[snapshots.LOCATIONS]}
        for kind, _heading, form in self.parts:
            if kind == "fields":
                data["fields"] = snapshots.snapshot(form.instance)["fields"]
            elif kind == "sessions":
                data[snapshots.SESSIONS] = snapshots.sessions_from_formset(
                    data[snapshots.SESSIONS], form
                )
            elif kind == "addresses":
                for location_form in form.forms:
                    if location_form.has_changed():
                        by_id[location_form.instance.pk].update(
                            snapshots.location_fields(location_form.instance)
                        )
            else:  # ("hours", location)
                location = kind[1]
                kept = [
                    f.instance
                    for f in form.forms
                    if (f.instance.pk or f.has_changed()) and not form._should_delete_form(f)
                ]
                by_id[location.pk]["hours"] = snapshots.location_data(location, kept)["hours"]
        return data
