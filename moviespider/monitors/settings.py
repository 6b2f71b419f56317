"""The monitors' limits and the alert channels, read from settings and the environment.

Secrets (the SMTP password, the webhook URL, which holds its token) come only from the
environment: settings are logged and land in Scrapyd's job arguments.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from moviespider.config import MonitorConfig, get_bool, get_int, get_list, get_str
from moviespider.errors import ConfigError

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

WEBHOOK_URL_VARIABLE = "ALERT_WEBHOOK_URL"
SMTP_USER_VARIABLE = "ALERT_SMTP_USER"
SMTP_PASSWORD_VARIABLE = "ALERT_SMTP_PASSWORD"
WEBHOOK_FORMATS = ("slack", "discord", "telegram")


# The monitors' limits: read with the other settings before the crawl starts.
MonitorSettings = MonitorConfig


@dataclass(frozen=True)
class EmailChannel:
    to: tuple[str, ...]
    sender: str
    host: str
    port: int
    starttls: bool
    user: str | None
    password: str | None  # from the environment only; never logged (repr=False below)

    def __repr__(self) -> str:
        return f"EmailChannel(to={self.to!r}, host={self.host!r}, port={self.port})"


@dataclass(frozen=True)
class WebhookChannel:
    url: str  # from the environment only: it holds the token
    format: str
    telegram_chat_id: str | None

    @property
    def safe_url(self) -> str:
        """What may be logged: scheme and host, not the path that holds the token."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}"

    def __repr__(self) -> str:
        return f"WebhookChannel(url={self.safe_url!r}, format={self.format!r})"


def email_channel(settings: BaseSettings) -> EmailChannel | None:
    to = tuple(get_list(settings, "ALERT_EMAIL_TO"))
    if not to:
        return None
    host = (get_str(settings, "ALERT_SMTP_HOST", optional=True) or "").strip()
    if not host:
        raise ConfigError("setting ALERT_SMTP_HOST: needed to send ALERT_EMAIL_TO alerts")
    sender = (get_str(settings, "ALERT_EMAIL_FROM", optional=True) or "").strip()
    if not sender:
        raise ConfigError("setting ALERT_EMAIL_FROM: needed to send ALERT_EMAIL_TO alerts")
    user = os.environ.get(SMTP_USER_VARIABLE) or None
    password = os.environ.get(SMTP_PASSWORD_VARIABLE) or None
    if (user is None) != (password is None):
        raise ConfigError(
            f"environment: set both {SMTP_USER_VARIABLE} and {SMTP_PASSWORD_VARIABLE}, or neither"
        )
    return EmailChannel(
        to=to,
        sender=sender,
        host=host,
        port=get_int(settings, "ALERT_SMTP_PORT", minimum=1),
        starttls=bool(get_bool(settings, "ALERT_SMTP_STARTTLS")),
        user=user,
        password=password,
    )


def webhook_channel(settings: BaseSettings) -> WebhookChannel | None:
    url = (os.environ.get(WEBHOOK_URL_VARIABLE) or "").strip()
    if not url:
        return None
    if urlsplit(url).scheme not in ("http", "https"):
        raise ConfigError(f"environment variable {WEBHOOK_URL_VARIABLE}: not an http(s) URL")
    chosen = (get_str(settings, "ALERT_WEBHOOK_FORMAT", optional=True) or "").strip().lower()
    chosen = chosen or guess_format(url)
    if chosen not in WEBHOOK_FORMATS:
        raise ConfigError(
            f"setting ALERT_WEBHOOK_FORMAT: expected one of {', '.join(WEBHOOK_FORMATS)}, "
            f"got {chosen!r}"
        )
    chat_id = (get_str(settings, "ALERT_TELEGRAM_CHAT_ID", optional=True) or "").strip() or None
    if chosen == "telegram" and chat_id is None:
        raise ConfigError("setting ALERT_TELEGRAM_CHAT_ID: needed for Telegram alerts")
    return WebhookChannel(url=url, format=chosen, telegram_chat_id=chat_id)


def guess_format(url: str) -> str:
    host = urlsplit(url).hostname or ""
    if host.endswith(("discord.com", "discordapp.com")):
        return "discord"
    if host == "api.telegram.org":
        return "telegram"
    return "slack"


def webhook_payload(channel: WebhookChannel, text: str) -> dict[str, str]:
    """The JSON each service takes: Slack's incoming webhook ``text``, Discord's ``content``,
    Telegram's sendMessage ``chat_id`` and ``text``."""
    if channel.format == "discord":
        return {"content": text[:2000]}  # Discord's limit
    if channel.format == "telegram":
        assert channel.telegram_chat_id is not None
        return {"chat_id": channel.telegram_chat_id, "text": text[:4096]}
    return {"text": text}
