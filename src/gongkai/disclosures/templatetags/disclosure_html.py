"""`{{ body|rich }}`: a stored body, sanitized again as it is shown (defence in depth: bodies are sanitized when
they are written, but a row written by other means must not reach the page as markup)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from gongkai.disclosures.sanitize import render_body

register = template.Library()


@register.filter
def rich(value: str) -> SafeString:
    return mark_safe(render_body(value or ""))  # noqa: S308 - sanitized by nh3 just now
