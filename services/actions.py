"""Writes that touch several models: review, history, verification and campaigns.

Keyword-only functions named <thing>_<verb>. Callers pass objects they already looked up
through the access policy (`access.scope(user, "curate", ...)`); decisions that depend on
the result of the write (approving a proposal, restoring a version) ask the policy here
again. Every function validates with full_clean()/clean_relations() and records every
change in ServiceVersion.
"""

import datetime
import smtplib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import access, links, snapshots, versions
from .models import (
    LIVE_STATUSES,
    CampaignRecipient,
    Organisation,
    OrganisationVersion,
    ProposedChange,
    Service,
    ServiceVersion,
    VerificationCampaign,
)

Source = ServiceVersion.Source


def _actor(user):
    return user if user is not None and user.is_authenticated else None


# History --------------------------------------------------------------------------------


def version_record(*, service, user, source, before=None):
    """Record the service as it is now, with what changed since `before` (or the last version).

    The first record of a service that existed before history started also stores `before`
    as its starting point, so it can be restored. Returns the new version, or None when
    nothing changed.
    """
    after = snapshots.snapshot(service)
    last = service.versions.first()
    if before is None:
        before = last.snapshot if last else None
    elif last is None:
        ServiceVersion.objects.create(
            service=service, user=None, source=Source.INITIAL, snapshot=before, changes=[]
        )
    changes = snapshots.diff(before, after) if before is not None else []
    if before is not None and not changes:
        return None
    return ServiceVersion.objects.create(
        service=service, user=_actor(user), source=source, snapshot=after, changes=changes
    )


def version_record_many(*, services, user, source, before):
    """version_record() for many services at once, in a fixed number of queries.

    `before`: {pk: snapshot} as stored before the write ({} or a missing pk: a new service,
    recorded with its first version). Returns the versions made."""
    services = list(services)
    if not services:
        return []
    after = snapshots.snapshot_many(services)
    with_history = set(
        ServiceVersion.objects.filter(service__in=services)
        .values_list("service_id", flat=True)
        .distinct()
    )
    old = [before[s.pk] for s in services if before.get(s.pk) is not None]
    names = snapshots.Names(*old, *after.values())
    actor = _actor(user)
    made = []
    for service in services:
        earlier = before.get(service.pk)
        changes = snapshots.diff(earlier, after[service.pk], names) if earlier is not None else []
        if earlier is not None and not changes:
            continue
        if earlier is not None and service.pk not in with_history:
            made.append(
                ServiceVersion(
                    service=service, user=None, source=Source.INITIAL, snapshot=earlier, changes=[]
                )
            )
        made.append(
            ServiceVersion(
                service=service,
                user=actor,
                source=source,
                snapshot=after[service.pk],
                changes=changes,
            )
        )
    return ServiceVersion.objects.bulk_create(made, batch_size=500)


def version_restore(*, version, user):
    """Write an earlier version's content back (not its status or verification), recorded.

    Refused (PermissionDenied) when the version would put the service outside the user's
    scope, e.g. a municipal curator restoring a national version."""
    if not access.allows(user, "restore", version):
        raise PermissionDenied(_("U mag deze versie niet terugzetten."))
    service = version.service
    before = snapshots.snapshot(service)
    snapshots.apply_snapshot(service, version.snapshot)
    return version_record(service=service, user=user, source=Source.RESTORE, before=before)


# Status and verification ----------------------------------------------------------------


def service_set_status(*, service, user, status, source=Source.ADMIN, settle_review=True):
    """Publish, close, archive or return a service to draft, validated and recorded.

    Publishing a new service that waits for review settles that review too (the partner
    hears it was approved), so the queue holds no stale items.
    """
    before = snapshots.snapshot(service)
    service.status = status
    service.full_clean()
    service.clean_relations(
        municipalities=service.municipalities.all(), target_groups=service.target_groups.all()
    )
    service.save(update_fields=["status", "modified"])
    version = version_record(service=service, user=user, source=source, before=before)
    if settle_review and status == Service.Status.PUBLISHED:
        waiting = service.proposed_changes.pending().filter(kind=ProposedChange.Kind.NEW)
        for proposal in waiting:
            _decide(proposal, user, ProposedChange.State.APPROVED, "")
            _notify_proposer(proposal)
    return version


def service_verify(*, service, user, source=Source.VERIFICATION):
    """Mark the service as checked now ("gecontroleerd"), by `user` (None: the provider)."""
    before = snapshots.snapshot(service)
    service.verified_at = timezone.now()
    service.verified_by = _actor(user)
    service.save(update_fields=["verified_at", "verified_by", "modified"])
    return version_record(service=service, user=user, source=source, before=before)


def services_verify(*, services, user, source=Source.VERIFICATION):
    """service_verify() for many services (a bulk action) in a fixed number of queries:
    one UPDATE, the history in bulk, the catalogue versions of exactly these services."""
    services = list(services)
    if not services:
        return []
    before = snapshots.snapshot_many(services)
    now = timezone.now()
    actor = _actor(user)
    ids = [service.pk for service in services]
    with transaction.atomic(), versions.batch():
        Service.objects.filter(pk__in=ids).update(verified_at=now, verified_by=actor, modified=now)
        for service in services:
            service.verified_at, service.verified_by, service.modified = now, actor, now
        versions.bump_services(ids)  # verification moves the ranking: as a save would
        version_record_many(services=services, user=user, source=source, before=before)
    return services


# Review ---------------------------------------------------------------------------------


def service_submit(*, service, user, before=None):
    """Send a partner's new or unpublished service to the curators ("ter beoordeling")."""
    if service.status != Service.Status.IN_REVIEW:
        service.status = Service.Status.IN_REVIEW
        service.save(update_fields=["status", "modified"])
    data = snapshots.snapshot(service)
    proposal = service.proposed_changes.pending().filter(kind=ProposedChange.Kind.NEW).first()
    if proposal is None:
        proposal = ProposedChange(service=service, kind=ProposedChange.Kind.NEW, base=data)
    proposal.data = data
    proposal.proposed_by = _actor(user) or proposal.proposed_by
    proposal.save()
    version_record(service=service, user=user, source=Source.ADMIN, before=before)
    return proposal


def service_propose_change(*, service, data, user=None, contact_email="", base=None, shown=None):
    """Keep an edit of a live service aside until a curator approves it.

    `base` is the live service before the edit (default: as stored now); `shown` what the
    editor started from (a pending proposal, or the live service). One pending proposal per
    service, and it keeps every change: what this edit changed (against `shown`) is put on
    top of what was already proposed, so a second edit never discards the first.
    """
    base = base or snapshots.snapshot(service)
    shown = shown or base
    proposal = service.proposed_changes.pending().filter(kind=ProposedChange.Kind.CHANGE).first()
    edited = snapshots.changed_keys(shown, data)
    if proposal is None:
        if not edited:
            return None
        proposal = ProposedChange(service=service, kind=ProposedChange.Kind.CHANGE, base=base)
        proposal.data = snapshots.merge(base, data, edited)
    else:
        if not edited:
            return proposal
        proposal.data = snapshots.merge(proposal.data, data, edited)
    proposal.proposed_by = _actor(user) or proposal.proposed_by
    proposal.contact_email = contact_email or proposal.contact_email
    proposal.save()
    return proposal


def proposal_diff(proposal):
    """What approving would change in the live service, field by field."""
    service = proposal.service
    if proposal.kind == ProposedChange.Kind.NEW:
        return snapshots.diff(None, snapshots.snapshot(service))
    current = snapshots.snapshot(service)
    keys = snapshots.changed_keys(proposal.base, proposal.data)
    merged = snapshots.merge(current, proposal.data, keys)
    return snapshots.diff(current, merged)


def proposal_proposer(proposal):
    """Who proposed it, as a curator needs to know: the organisation (and the person's
    name when known), or the address a campaign link was answered from."""
    organisation = proposal.service.organisation.name
    person = proposal.proposed_by
    if person is not None:
        name = person.get_full_name() or person.get_username()
        return _("%(name)s van %(organisation)s") % {"name": name, "organisation": organisation}
    if proposal.contact_email:
        return _("%(organisation)s (via de controlelink, %(email)s)") % {
            "organisation": organisation,
            "email": proposal.contact_email,
        }
    return organisation


def proposal_approve(*, proposal, user, reason=""):
    """Apply a proposal (or publish a new service), record it and tell the partner.

    Only what the partner changed is written, so a curator's own edit made in the meantime
    stays. Raises ValidationError (nothing written) when the result would be invalid.
    """
    if proposal.state != ProposedChange.State.PENDING:
        raise ValidationError(_("Over dit voorstel is al beslist."))
    if not access.allows(user, "review", proposal):
        raise PermissionDenied(
            _(
                "Dit voorstel brengt de dienst buiten uw gemeenten. Een landelijke curator "
                "beslist erover."
            )
        )
    service = proposal.service
    with transaction.atomic():
        if proposal.kind == ProposedChange.Kind.NEW:
            service_set_status(
                service=service,
                user=user,
                status=Service.Status.PUBLISHED,
                source=Source.REVIEW,
                settle_review=False,
            )
        else:
            before = snapshots.snapshot(service)
            keys = snapshots.changed_keys(proposal.base, proposal.data)
            snapshots.apply_snapshot(service, proposal.data, keys=keys)
            version_record(service=service, user=user, source=Source.REVIEW, before=before)
        _decide(proposal, user, ProposedChange.State.APPROVED, reason)
    _notify_proposer(proposal)
    return proposal


def proposal_reject(*, proposal, user, reason):
    """Turn a proposal down with a reason the partner receives; a new service goes to draft."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Schrijf kort op waarom u het voorstel afwijst.")})
    if proposal.state != ProposedChange.State.PENDING:
        raise ValidationError(_("Over dit voorstel is al beslist."))
    if not access.allows(user, "review", proposal):
        raise PermissionDenied(_("U mag over dit voorstel niet beslissen."))
    with transaction.atomic():
        if proposal.kind == ProposedChange.Kind.NEW:
            service_set_status(
                service=proposal.service,
                user=user,
                status=Service.Status.DRAFT,
                source=Source.REVIEW,
            )
        _decide(proposal, user, ProposedChange.State.REJECTED, reason)
    _notify_proposer(proposal)
    return proposal


def _decide(proposal, user, state, reason):
    proposal.state = state
    proposal.decided_by = _actor(user)
    proposal.decided_at = timezone.now()
    proposal.reason = reason[:2000]
    proposal.save()


def _proposal_recipients(proposal):
    if proposal.contact_email:
        return [proposal.contact_email]
    if proposal.proposed_by and proposal.proposed_by.email:
        return [proposal.proposed_by.email]
    organisation = proposal.service.organisation
    emails = [u.email for u in organisation.users.all() if u.email]
    return emails or ([organisation.email] if organisation.email else [])


def _notify_proposer(proposal):
    recipients = _proposal_recipients(proposal)
    if not recipients:
        return 0
    approved = proposal.state == ProposedChange.State.APPROVED
    subject = (
        _("Uw voorstel voor %(service)s is goedgekeurd")
        if approved
        else _("Uw voorstel voor %(service)s is niet goedgekeurd")
    ) % {"service": proposal.service.name}
    lines = [
        _("Beste aanbieder,"),
        "",
        (
            _("Wij hebben uw voorstel voor %(service)s bekeken en goedgekeurd.")
            if approved
            else _("Wij hebben uw voorstel voor %(service)s bekeken en niet goedgekeurd.")
        )
        % {"service": proposal.service.name},
    ]
    if proposal.reason:
        lines += ["", _("Toelichting:"), proposal.reason]
    lines += ["", _("Met vriendelijke groet,"), _("De redactie van de Sociale Kaart")]
    return send_mail(subject, "\n".join(lines), None, recipients)


# Verification campaigns -----------------------------------------------------------------


def campaign_plan(services):
    """Who a campaign over `services` would write to: ([(organisation, email, services)],
    [organisations without an e-mail address]). Nothing is written or sent."""
    by_organisation = {}
    for service in services.select_related("organisation").order_by("organisation__name", "name"):
        by_organisation.setdefault(service.organisation, []).append(service)
    planned, skipped = [], []
    for organisation, its_services in by_organisation.items():
        email = organisation.email or next((s.email for s in its_services if s.email), "")
        if email:
            planned.append((organisation, email, its_services))
        else:
            skipped.append(organisation)
    return planned, skipped


def campaign_start(*, name, services, user, reminder_days=14, base_url=None):
    """Start a campaign: one recipient and one e-mail per organisation of `services`.

    Organisations without an e-mail address (its own, else one of its services') are
    skipped and returned, so the curator can call them. `campaign.sent` is how many
    e-mails went out; one that the mail server refused is in `campaign.failed`.
    """
    campaign = VerificationCampaign(name=name, created_by=_actor(user), reminder_days=reminder_days)
    campaign.full_clean()
    planned, skipped = campaign_plan(services)
    with transaction.atomic():
        campaign.save()
        recipients = []
        for organisation, email, its_services in planned:
            recipient = CampaignRecipient.objects.create(
                campaign=campaign, organisation=organisation, email=email
            )
            recipient.services.set(its_services)
            recipients.append(recipient)
    campaign.sent, campaign.failed = 0, []
    for recipient in recipients:
        try:
            campaign_send(recipient=recipient, base_url=base_url)
        except (OSError, smtplib.SMTPException):
            campaign.failed.append(recipient)
        else:
            campaign.sent += 1
    return campaign, skipped


def campaign_link(recipient, base_url=None):
    # The token goes in the query string, which the access log leaves out; the first visit
    # exchanges it for a session (services.curation.views).
    path = (
        reverse("curation:campaign")
        + "?"
        + urlencode({"sleutel": links.recipient_token(recipient)})
    )
    return (base_url or links.site_url()).rstrip("/") + path


def campaign_message(*, organisation, services, link, reminder=False):
    """(subject, body) of a campaign e-mail: what is sent, and what the curator previews."""
    names = "\n".join(f"- {service.name}" for service in services)
    days = links.link_max_age() // (24 * 3600)
    subject = (
        _("Herinnering: kloppen uw gegevens op de Sociale Kaart nog?")
        if reminder
        else _("Kloppen uw gegevens op de Sociale Kaart nog?")
    )
    body = "\n".join(
        [
            _("Beste %(organisation)s,") % {"organisation": organisation.name},
            "",
            _("Op de Sociale Kaart staan deze diensten van u:"),
            names,
            "",
            _("Wilt u controleren of alles nog klopt? Open deze link:"),
            link,
            "",
            _(
                "U hoeft niet in te loggen. De link werkt %(days)s dagen en alleen voor uw "
                "eigen diensten. Klopt iets niet? Dan kunt u op die pagina een wijziging "
                "voorstellen."
            )
            % {"days": days},
            "",
            _("Met vriendelijke groet,"),
            _("De redactie van de Sociale Kaart"),
        ]
    )
    return subject, body


def campaign_send(*, recipient, base_url=None, reminder=False):
    """E-mail one provider its signed link (first time or as a reminder)."""
    subject, body = campaign_message(
        organisation=recipient.organisation,
        services=recipient.services.all(),
        link=campaign_link(recipient, base_url),
        reminder=reminder,
    )
    send_mail(subject, body, None, [recipient.email])
    now = timezone.now()
    if reminder:
        recipient.reminded_at = now
        recipient.save(update_fields=["reminded_at"])
    else:
        recipient.sent_at = now
        recipient.save(update_fields=["sent_at"])


def campaign_send_reminders(*, now=None, base_url=None):
    """Remind, once, every recipient that has not answered `reminder_days` after the e-mail."""
    now = now or timezone.now()
    due = [
        recipient
        for recipient in CampaignRecipient.objects.filter(
            answered_at__isnull=True, reminded_at__isnull=True, sent_at__isnull=False
        ).select_related("campaign", "organisation")
        if recipient.sent_at <= now - datetime.timedelta(days=recipient.campaign.reminder_days)
    ]
    for recipient in due:
        campaign_send(recipient=recipient, base_url=base_url, reminder=True)
    return due


def campaign_confirm(*, recipient, service):
    """The provider says a service is still correct: it counts as verified."""
    service_verify(service=service, user=None, source=Source.CAMPAIGN)
    _answered(recipient)


def campaign_propose(*, recipient, service, data):
    """The provider proposes a change through its link: it goes into the review queue."""
    proposal = service_propose_change(service=service, data=data, contact_email=recipient.email)
    _answered(recipient)
    return proposal


def _answered(recipient):
    if recipient.answered_at is None:
        recipient.answered_at = timezone.now()
        recipient.save(update_fields=["answered_at"])


def organisation_version_record(*, organisation, user, before=None):
    """Record an organisation as it is now, with what changed since `before`."""
    after = snapshots.organisation_snapshot(organisation)
    changes = snapshots.organisation_diff(before, after)
    if before is not None and not changes:
        return None
    return OrganisationVersion.objects.create(
        organisation=organisation, user=_actor(user), snapshot=after, changes=changes
    )


def organisations_of(user):
    """The organisations a partner may choose for a service."""
    return Organisation.objects.filter(users=user)


def is_live(service):
    return service.status in LIVE_STATUSES
