from django import template

register = template.Library()


@register.filter
def words(value) -> str:
    """ "late_and_short" -> "late and short" (codes shown as words)."""
    return str(value).replace("_", " ") if value else ""
