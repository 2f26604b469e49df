from django.db.models import Q
from django.views.generic import DetailView, ListView

from services.models import LIVE_STATUSES, Organisation, Service

from . import progress
from .domains import domain_coverage
from .models import Coalition, LonelinessFigure, Membership


class CoalitionListView(ListView):
    """Published coalitions, grouped by municipality in the template."""

    def get_queryset(self):
        return Coalition.objects.published().for_list()


class CoalitionDetailView(DetailView):
    """One coalition's page: who takes part, what they aim for, how far they are."""

    def get_queryset(self):
        return Coalition.objects.visible_to(self.request.user).with_related()

    def get_context_data(self, **kwargs):
        coalition = self.object
        municipality = coalition.municipality
        members = Membership.objects.filter(coalition=coalition).values("organisation_id")
        memberships = list(coalition.memberships.all())
        coverage = domain_coverage(memberships)
        if coverage.missing:
            # Organisations with local services in the catalogue, from the missing domains.
            candidates = (
                Organisation.objects.filter(
                    domain__in=[group.value for group in coverage.missing],
                    services__status__in=LIVE_STATUSES,
                    services__municipalities=municipality,
                )
                .exclude(pk__in=members)
                .distinct()
                .order_by("name")
            )
            coverage = domain_coverage(memberships, candidates=candidates)
        figures = list(
            LonelinessFigure.objects.filter(
                Q(municipality=municipality) | Q(municipality__isnull=True)
            ).order_by("-year")
        )
        goals = list(coalition.goals.all())
        for goal in goals:
            goal.state = progress.goal_state(goal)
        local_figure = next((f for f in figures if f.municipality_id), None)
        national_figure = next((f for f in figures if f.municipality_id is None), None)
        return super().get_context_data(
            coverage=coverage,
            goals=goals,
            figures_note=progress.figures_note(local_figure, national_figure),
            member_services=(
                Service.objects.live()
                .for_municipality(municipality)
                .filter(organisation__in=members)
                .select_related("organisation")
                .order_by("organisation__name", "name")
            ),
            local_figure=local_figure,
            national_figure=national_figure,
            **kwargs,
        )
