from django import template

from ..validators import tel_href

register = template.Library()


@register.filter
def tel(value):
    """A phone number as the digits for a tel: link."""
    return tel_href(value)


@register.filter
def is_in(value, container):
    """True when value is in container (the template language has no `in` for `with`)."""
    return value in (container or ())
