"""Template filters of the digests' messages: `{% load digest_tags %}`."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def slack(value: object) -> str:
    """Text for Slack's mrkdwn: &, < and > escaped as Slack asks, so a name cannot make a link or a mention."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
