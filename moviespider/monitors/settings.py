"""The monitors' limits and the alert channels, read from settings and the environment.

Secrets (the SMTP password, the webhook URL, which holds its token) come only from the
environment: settings are logged and land in Scrapyd's job arguments.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from moviespider.config import get_float, get_int
from moviespider.errors import ConfigError

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

WEBHOOK_URL_VARIABLE = "ALERT_WEBHOOK_URL"
SMTP_USER_VARIABLE = "ALERT_SMTP_USER"
SMTP_PASSWORD_VARIABLE = "ALERT_SMTP_PASSWORD"
WEBHOOK_FORMATS = ("slack", "discord", "telegram")


def get_share(settings: BaseSettings, name: str) -> float:
    share = get_float(settings, name, minimum=0)
    if share > 1:
        raise ConfigError(f"setting {name}: expected a share from 0 to 1, got {share:g}")
    return share


@dataclass(frozen=True)
class MonitorSettings:
    items_share: float
    min_items: int
    finish_reasons: tuple[str, ...]
    max_failed_share: float
    max_error_share: float
    max_blocked_share: float

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> MonitorSettings:
        reasons = tuple(settings.getlist("MONITOR_FINISH_REASONS"))
        if not reasons:
            raise ConfigError("setting MONITOR_FINISH_REASONS: name at least one reason")
        return cls(
            items_share=get_share(settings, "MONITOR_ITEMS_SHARE"),
            min_items=get_int(settings, "MONITOR_MIN_ITEMS", minimum=0),
            finish_reasons=reasons,
            max_failed_share=get_share(settings, "MONITOR_MAX_FAILED_SHARE"),
            max_error_share=get_share(settings, "MONITOR_MAX_ERROR_SHARE"),
            max_blocked_share=get_share(settings, "MONITOR_MAX_BLOCKED_SHARE"),
        )


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
    to = tuple(address.strip() for address in settings.getlist("ALERT_EMAIL_TO") if address)
    if not to:
        return None
    host = (settings.get("ALERT_SMTP_HOST") or "").strip()
    if not host:
        raise ConfigError("setting ALERT_SMTP_HOST: needed to send ALERT_EMAIL_TO alerts")
    sender = (settings.get("ALERT_EMAIL_FROM") or "").strip()
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
        starttls=settings.getbool("ALERT_SMTP_STARTTLS"),
        user=user,
        password=password,
    )


def webhook_channel(settings: BaseSettings) -> WebhookChannel | None:
    url = (os.environ.get(WEBHOOK_URL_VARIABLE) or "").strip()
    if not url:
        return None
    if urlsplit(url).scheme not in ("http", "https"):
        raise ConfigError(f"environment variable {WEBHOOK_URL_VARIABLE}: not an http(s) URL")
    chosen = (settings.get("ALERT_WEBHOOK_FORMAT") or "").strip().lower() or guess_format(url)
    if chosen not in WEBHOOK_FORMATS:
        raise ConfigError(
            f"setting ALERT_WEBHOOK_FORMAT: expected one of {', '.join(WEBHOOK_FORMATS)}, "
            f"got {chosen!r}"
        )
    chat_id = (settings.get("ALERT_TELEGRAM_CHAT_ID") or "").strip() or None
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
