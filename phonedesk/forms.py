import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services import criteria, text
from services.models import MAX_AGE, Municipality, Service, Theme

from .models import AgeBand, Outcome


class SearchField(forms.CharField):
    """Free text that never fails validation: NUL bytes become spaces, long input is cut."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\x00", " ")[: text.MAX_QUERY_LENGTH * 4]


class IdsField(forms.ModelMultipleChoiceField):
    """Several primary keys; anything that is not a plausible key is refused before the query."""

    def _check_values(self, value):
        for pk in value:
            number = text.ascii_int(pk)
            if number is None or not 0 < number < 2**63:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class CallContextForm(forms.Form):
    """The search field and the caller context; posted together on every change."""

    FORMAT_CHOICES = [
        ("", _("Maakt niet uit")),
        (Service.Format.GROUP, _("In een groep")),
        (Service.Format.INDIVIDUAL, _("Alleen (individueel)")),
    ]

    q = SearchField(label=_("Waar zoekt de beller hulp bij?"), required=False)
    municipality = forms.ModelChoiceField(
        label=_("Gemeente van de beller"),
        queryset=Municipality.objects.all(),
        required=False,
        empty_label=_("Nog niet gekozen: alleen landelijk"),
    )
    age = forms.IntegerField(label=_("Leeftijd"), required=False, min_value=0, max_value=MAX_AGE)
    free = forms.BooleanField(label=_("Alleen gratis"), required=False)
    no_referral = forms.BooleanField(label=_("Zonder verwijzing"), required=False)
    at_home = forms.BooleanField(label=_("Bij de beller thuis"), required=False)
    by_phone = forms.BooleanField(label=_("Telefonisch"), required=False)
    format = forms.ChoiceField(label=_("Groep of alleen"), choices=FORMAT_CHOICES, required=False)
    WHEN_CHOICES = [
        ("", _("Maakt niet uit")),
        (criteria.OPEN_NOW, _("Nu open")),
        (criteria.TODAY, _("Vandaag")),
        (criteria.THIS_WEEK, _("Deze week")),
    ]
    when = forms.ChoiceField(label=_("Wanneer"), choices=WHEN_CHOICES, required=False)

    @classmethod
    def for_context(cls, context, **kwargs):
        initial = {
            "municipality": context.municipality_id,
            "age": context.age,
            "free": context.free,
            "no_referral": context.no_referral,
            "at_home": context.at_home,
            "by_phone": context.by_phone,
            "format": context.format,
            "when": context.when,
        }
        return cls(initial=initial, **kwargs)

    def valid_data(self):
        """The cleaned values of the fields that are valid, so one bad field spoils nothing."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}


class FinishCallForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Uitkomst van het gesprek"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    services = IdsField(
        label=_("Verwezen naar"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    themes = IdsField(
        label=_("Besproken thema's"),
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    municipality = forms.ModelChoiceField(
        label=_("Gemeente van de beller"),
        queryset=Municipality.objects.all(),
        required=False,
        empty_label=_("Onbekend"),
    )
    age_band = forms.ChoiceField(
        label=_("Leeftijdsgroep"),
        choices=[("", _("Onbekend")), *AgeBand.choices],
        required=False,
    )

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = (
            services if services is not None else Service.objects.none()
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == Outcome.REFERRED and not cleaned.get("services"):
            raise ValidationError(
                _(
                    "Kies de diensten waarnaar u hebt verwezen. Staan ze niet op de lijst? "
                    "Zet ze er eerst op, of kies een andere uitkomst."
                )
            )
        return cleaned


class SummaryEmailForm(forms.Form):
    """The caller's e-mail address, used for this one message and never stored."""

    email = forms.EmailField(
        label=_("E-mailadres van de beller"),
        help_text=_("Alleen voor dit bericht. Het adres wordt niet bewaard."),
        # Shared desk computers must not offer one caller's address to the next.
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class GapReportForm(forms.Form):
    PERIOD_CHOICES = [("week", _("Per week")), ("month", _("Per maand"))]

    period = forms.ChoiceField(label=_("Indeling"), choices=PERIOD_CHOICES, required=False)
    start = forms.DateField(
        label=_("Vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    municipality = forms.ModelChoiceField(
        label=_("Gemeente"),
        queryset=Municipality.objects.all(),
        required=False,
        empty_label=_("Alle gemeenten"),
    )

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if municipalities is not None:
            self.fields["municipality"].queryset = municipalities

    def filters(self):
        """period, start, end and municipality; defaults for anything missing or invalid."""
        data = self.valid_data()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - datetime.timedelta(weeks=12)
        if start > end:
            start, end = end, start
        if (end - start).days > 366 * 3:
            start = end - datetime.timedelta(days=366 * 3)
        return {
            "period": data.get("period") or "week",
            "start": start,
            "end": end,
            "municipality": data.get("municipality"),
        }

    def valid_data(self):
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
