"""Public pages behind a campaign's signed link: no login, one provider, its own services."""

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from services import access, actions, links, snapshots
from services.models import Service

PROPOSAL_FIELDS = [
    "name",
    "summary",
    "essence",
    "how_to_apply",
    "conditions",
    "cost_text",
    "wait_time",
    "phone",
    "email",
    "url",
]


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = PROPOSAL_FIELDS


def _recipient(request, token):
    """(recipient, None) for a good link, else (None, an error page)."""
    try:
        recipient = links.recipient_from_token(token)
    except signing.SignatureExpired:
        return None, render(request, "curation/link_invalid.html", {"expired": True}, status=410)
    if recipient is None:
        return None, render(request, "curation/link_invalid.html", {"expired": False}, status=404)
    return recipient, None


@never_cache
def campaign(request, token):
    """The provider's list of services: "still correct" per service, or propose a change."""
    recipient, error = _recipient(request, token)
    if error:
        return error
    services = recipient.services.order_by("name")
    if request.method == "POST":
        pk = request.POST.get("service", "")
        if not pk.isdigit():
            raise Http404
        service = get_object_or_404(services, pk=pk)
        actions.campaign_confirm(recipient=recipient, service=service)
        messages.success(
            request, gettext("Dank u wel. %(name)s staat als gecontroleerd.") % {"name": service}
        )
        return redirect("curation:campaign", token=token)
    return render(
        request,
        "curation/campaign.html",
        {"recipient": recipient, "services": services, "token": token},
    )


@never_cache
def campaign_propose(request, token, pk):
    """A short form to propose a change; it waits in the curators' review queue."""
    recipient, error = _recipient(request, token)
    if error:
        return error
    service = get_object_or_404(recipient.services.all(), pk=pk)
    # A separate copy: the form writes the proposed values into it, and it is never saved.
    form = ProposalForm(request.POST or None, instance=Service.objects.get(pk=service.pk))
    if request.method == "POST" and form.is_valid():
        data = snapshots.snapshot(form.instance)
        actions.campaign_propose(recipient=recipient, service=service, data=data)
        messages.success(
            request,
            gettext("Dank u wel. De gemeente bekijkt uw voorstel en laat u weten of het klopt."),
        )
        return redirect("curation:campaign", token=token)
    return render(
        request,
        "curation/campaign_propose.html",
        {"recipient": recipient, "service": service, "form": form, "token": token},
    )


def view_on_site(request, content_type_id, object_id):
    """The admin's "Weergeven op website": only for an object the public can see and this
    user may see in the admin; anything else is a 404, so the link reveals nothing."""
    if not (
        isinstance(content_type_id, int)
        and object_id.isascii()
        and object_id.isdigit()
        and len(object_id) < 19
    ):
        raise Http404
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    if model is None or not hasattr(model, "get_absolute_url"):
        raise Http404
    obj = model._default_manager.filter(pk=object_id).first()
    if obj is None or not getattr(obj, "is_public", False):
        raise Http404
    try:
        allowed = access.allows(request.user, "view", obj)
    except ValueError:  # a model the policy has no rule for
        allowed = False
    if not allowed:
        raise Http404
    return redirect(obj.get_absolute_url())
