"""Staff logins: two-factor codes (TOTP) for curators and administrators, optional for others.

Who must use a code is the access policy's rule (access.needs_second_factor); a user who has set up an app
always gives its code, whoever they are. The password is checked first (django-axes
refuses locked-out accounts and addresses before the hash is computed); the code is
checked by django-otp, which slows down repeated wrong codes by itself.
"""

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from services import access

TOKEN_LENGTH = 6


def needs_second_factor(user):
    """True when this login must include a TOTP code: the policy's rule, unless the
    deployment has switched second factors off (SECOND_FACTOR_REQUIRED)."""
    if not user.is_authenticated or not settings.SECOND_FACTOR_REQUIRED:
        return False
    return access.needs_second_factor(user)


def confirmed_device(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def _check_token(device, token):
    token = (token or "").replace(" ", "")
    if not (len(token) == TOKEN_LENGTH and token.isascii() and token.isdigit()):
        return False
    return device.verify_token(token)


class SecondFactorMixin:
    """Adds the code field; required when the user has an app set up."""

    second_factor_messages = {
        "token_required": _("Vul de code van zes cijfers uit uw app in."),
        "invalid_token": _(
            "Deze code klopt niet of is verlopen. Vul de code in die uw app nu laat zien."
        ),
    }

    def add_token_field(self):
        self.fields["otp_token"] = forms.CharField(
            label=_("Code uit uw app (als u die gebruikt)"),
            required=False,
            max_length=12,
            widget=forms.TextInput(
                attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
            ),
        )

    def check_second_factor(self):
        user = self.get_user()
        if user is None:
            return
        device = confirmed_device(user)
        if device is None:
            return
        token = self.cleaned_data.get("otp_token")
        if not token:
            raise ValidationError(self.second_factor_messages["token_required"], code="token")
        if not _check_token(device, token):
            raise ValidationError(self.second_factor_messages["invalid_token"], code="token")
        # django-otp marks the session as verified when it logs this user in.
        user.otp_device = device


class StaffLoginForm(SecondFactorMixin, AdminAuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_token_field()

    def clean(self):
        cleaned = super().clean()
        self.check_second_factor()
        return cleaned


class DeskLoginForm(SecondFactorMixin, AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_token_field()

    def clean(self):
        cleaned = super().clean()
        self.check_second_factor()
        return cleaned


class SetupForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code uit uw app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_otp_token(self):
        token = self.cleaned_data["otp_token"]
        if not _check_token(self.device, token):
            raise ValidationError(SecondFactorMixin.second_factor_messages["invalid_token"])
        return token


@never_cache
@login_required
def second_factor_setup(request):
    """Set up an authenticator app: scan the code, type what the app shows, done."""
    user = request.user
    if confirmed_device(user) is not None and request.user.is_verified():
        return HttpResponseRedirect(reverse("admin:index"))
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "app"}
    )
    form = SetupForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        otp_login(request, device)
        return HttpResponseRedirect(reverse("admin:index"))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title=str(_("QR-code")))
    context = {
        **admin.site.each_context(request),
        "title": _("Inloggen met een code instellen"),
        "form": form,
        "qr_svg": mark_safe(qr),  # segno's own SVG markup for our own URL
        "secret": base64.b32encode(device.bin_key).decode(),
    }
    return render(request, "registration/second_factor_setup.html", context)


class StaffAdminSite(admin.AdminSite):
    """The admin, with a TOTP code required for curators and administrators."""

    login_form = StaffLoginForm

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return request.user.is_verified() or not needs_second_factor(request.user)

    def login(self, request, extra_context=None):
        user = request.user
        if (
            request.method == "GET"
            and user.is_authenticated
            and user.is_active
            and user.is_staff
            and needs_second_factor(user)
            and confirmed_device(user) is None
        ):
            # Logged in with a password, but no app yet: set one up first.
            return HttpResponseRedirect(reverse("admin:second_factor_setup"))
        return super().login(request, extra_context)

    def get_urls(self):
        return [
            path(
                "tweestapsverificatie/",
                second_factor_setup,
                name="second_factor_setup",
            ),
            *super().get_urls(),
        ]
