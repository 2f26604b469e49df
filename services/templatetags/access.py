"""`{% allows "curate" as may_curate %}`: the access policy's answer, for templates."""

from django import template

from .. import access

register = template.Library()


@register.simple_tag(takes_context=True)
def allows(context, action, obj=None, kind=None):
    """May the current user do `action` (to `obj`, or to some object of `kind`)?"""
    request = context.get("request")
    if request is None:
        return False
    return access.allows(request.user, action, obj, kind=kind)
