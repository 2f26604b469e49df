"""Forms of the staff side: the service form the admin and the CSV import share."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from services import access
from services.models import Service
from services.numbers import DutchDecimalField


class ServiceAdminForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = "__all__"
        # "1,00" is one euro, not a hundred: Dutch notation, a text input (services.numbers).
        field_classes = {"cost_amount": DutchDecimalField}

    user = None  # set by ServiceAdmin.get_form
    proposed_m2m = None  # a pending proposal's many-to-many values, shown instead of live

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, ids in (self.proposed_m2m or {}).items():
            if name in self.fields and not self.is_bound:
                self.initial[name] = ids

    def clean(self):
        cleaned = super().clean()
        # The many-to-many rules live on the model; the form hands it the chosen values.
        try:
            self.instance.clean_relations(
                municipalities=self._value(cleaned, "municipalities") or [],
                target_groups=self._value(cleaned, "target_groups") or [],
            )
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                for message in messages_:
                    self.add_error(field if field in self.fields else None, message)
        if self.user is not None:
            # Decided on the service as stored (the instance is not yet changed here) and
            # as it would be after this edit: both must be in the user's scope.
            self.write = access.service_write(
                self.user,
                self.instance,
                scope=self._value(cleaned, "scope"),
                municipalities=self._value(cleaned, "municipalities") or [],
                organisation=self._value(cleaned, "organisation"),
            )
            if self.write == access.Write.DENY:
                self.add_error(
                    "municipalities" if "municipalities" in self.fields else None,
                    _(
                        "U kunt alleen diensten beheren die helemaal in uw eigen gemeenten "
                        "vallen, of die van uw eigen organisatie zijn."
                    ),
                )
        return cleaned

    def _value(self, cleaned, name):
        """The chosen value, or the stored one when this form (an import) lacks the field."""
        if name in self.fields:
            return cleaned.get(name)
        field = Service._meta.get_field(name)
        if field.many_to_many:
            return list(getattr(self.instance, name).all()) if self.instance.pk else []
        return getattr(self.instance, name, None)
