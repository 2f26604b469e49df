"""Template tags of the staff side."""

from django import template

from .. import dashboard

register = template.Library()


@register.simple_tag(takes_context=True)
def partner_overview(context):
    """The current partner's services with their state in words (see dashboard)."""
    request = context.get("request")
    return dashboard.partner_overview(request.user) if request else []
