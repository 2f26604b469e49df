import time

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from services.models import ErrorReport, Municipality
from services.validators import validate_no_control_characters

FORM_SALT = "services.error-report"
MIN_SECONDS_TO_FILL = 3
MAX_SECONDS_TO_FILL = 60 * 60 * 24


class ErrorReportForm(forms.ModelForm):
    """'Meld een fout': fixed topics, an optional note, and two quiet spam checks
    (a field people leave empty, and a signed start time: bots answer too fast)."""

    website = forms.CharField(
        required=False,
        label=_("Laat dit veld leeg"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = ErrorReport
        fields = ["topic", "message"]
        widgets = {
            "topic": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        }
        labels = {"topic": _("Wat is er mis?"), "message": _("Toelichting (mag leeg blijven)")}
        help_texts = {
            "message": _("Schrijf hier geen namen, adressen of telefoonnummers van inwoners.")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = ErrorReport.Topic.choices
        self.fields["message"].validators.append(validate_no_control_characters)
        if not self.is_bound:
            self.initial["started"] = signing.dumps(time.time(), salt=FORM_SALT)

    def clean_started(self):
        try:
            started = signing.loads(self.cleaned_data["started"], salt=FORM_SALT)
            elapsed = time.time() - float(started)
        except (signing.BadSignature, TypeError, ValueError):
            raise forms.ValidationError(
                _("Het formulier is verlopen. Probeer het opnieuw.")
            ) from None
        if elapsed > MAX_SECONDS_TO_FILL:
            raise forms.ValidationError(_("Het formulier is verlopen. Probeer het opnieuw."))
        self.too_fast = elapsed < MIN_SECONDS_TO_FILL
        return self.cleaned_data["started"]

    def is_spam(self):
        return bool(self.cleaned_data.get("website")) or getattr(self, "too_fast", False)


class MunicipalityForm(forms.Form):
    gemeente = forms.ModelChoiceField(
        queryset=Municipality.objects.all(),
        to_field_name="slug",
        label=_("Uw gemeente"),
        empty_label=None,
        error_messages={"invalid_choice": _("Kies een gemeente uit de lijst.")},
    )
