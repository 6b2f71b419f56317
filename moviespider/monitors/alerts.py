"""Alerts when a monitor fails: an email over SMTP and a webhook message (Slack, Discord,
Telegram).

``SendAlert`` is the Spidermon action the suite runs when a monitor fails; it writes the message
and hands it to the ``Alerts`` extension, which sends it on threads when the engine stops (the
crawl waits for it; the reactor never blocks). Written here rather than Spidermon's
SendSmtpEmail and Discord/Slack actions: those need an SMTP login (no local relay), premailer,
requests and slack-sdk, and send on the reactor thread.

Settings: ALERT_EMAIL_TO, ALERT_EMAIL_FROM, ALERT_SMTP_HOST, ALERT_SMTP_PORT, ALERT_SMTP_STARTTLS,
ALERT_WEBHOOK_FORMAT, ALERT_TELEGRAM_CHAT_ID. Environment: ALERT_SMTP_USER, ALERT_SMTP_PASSWORD,
ALERT_WEBHOOK_URL.
"""

from __future__ import annotations

import asyncio
import json
import logging
import smtplib
import urllib.error
import urllib.request
from email.message import EmailMessage
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from spidermon.core.actions import Action
from spidermon.exceptions import SkipAction

from moviespider.extensions.outcome import EXIT_STATUS_STAT, OUTCOME_STAT
from moviespider.monitors.settings import (
    EmailChannel,
    MonitorSettings,
    WebhookChannel,
    email_channel,
    webhook_channel,
    webhook_payload,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

SEND_TIMEOUT = 30  # seconds, for each channel
STATS_PREFIX = "moviespider/alerts"


class Alerts:
    """Extension: the configured channels, and the alerts to send when the spider closes."""

    def __init__(
        self, crawler: Crawler, email: EmailChannel | None, webhook: WebhookChannel | None
    ):
        self.stats = crawler.stats
        self.email = email
        self.webhook = webhook
        self.queued: list[tuple[str, str]] = []  # (subject, text)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Alerts:
        settings = crawler.settings
        MonitorSettings.from_settings(settings)  # a bad limit stops the crawl now, not at close
        email, webhook = email_channel(settings), webhook_channel(settings)
        if email is None and webhook is None:
            raise NotConfigured  # no channel is not a mistake: no warning in every crawl's log
        extension = cls(crawler, email, webhook)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        logger.info(
            "Alerts when a monitor fails: %s",
            ", ".join(repr(channel) for channel in (email, webhook) if channel is not None),
        )
        return extension

    def queue(self, subject: str, text: str) -> None:
        self.queued.append((subject, text))

    async def engine_stopped(self) -> None:
        # Connected after the monitors' extension (settings.py), whose suites run first.
        for subject, text in self.queued:
            if self.email is not None:
                await self._send("email", send_email, self.email, subject, text)
            if self.webhook is not None:
                await self._send("webhook", send_webhook, self.webhook, text)
        self.queued.clear()

    async def _send(self, channel: str, send, *args) -> None:
        try:
            await asyncio.to_thread(send, *args)
        except Exception as error:
            self.stats.inc_value(f"{STATS_PREFIX}/{channel}_failed")
            # The error names the server, never the password or the webhook's token path.
            logger.error("Could not send the alert by %s: %s", channel, describe(error))
        else:
            self.stats.inc_value(f"{STATS_PREFIX}/{channel}_sent")
            logger.info("Sent the alert by %s", channel)


def describe(error: Exception) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return str(error.reason)
    return f"{type(error).__name__}: {error}"


def send_email(channel: EmailChannel, subject: str, text: str) -> None:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = channel.sender
    message["To"] = ", ".join(channel.to)
    message.set_content(text)
    with smtplib.SMTP(channel.host, channel.port, timeout=SEND_TIMEOUT) as smtp:
        if channel.starttls:
            smtp.starttls()
        if channel.user is not None and channel.password is not None:
            smtp.login(channel.user, channel.password)
        smtp.send_message(message)


def send_webhook(channel: WebhookChannel, text: str) -> None:
    request = urllib.request.Request(
        channel.url,
        data=json.dumps(webhook_payload(channel, text)).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=SEND_TIMEOUT) as response:
        response.read()


class SendAlert(Action):
    """Spidermon action (the suite's ``monitors_failed_actions``): the failed monitors, each with
    its reason, as one message to every channel configured."""

    def run_action(self) -> None:
        crawler = self.data.crawler
        alerts = crawler.get_extension(Alerts)
        if alerts is None:
            raise SkipAction("no alert channel configured")
        stats = self.data.stats
        spider = self.data.spider.name
        failed = self.result.monitors_failed_results
        lines = [
            f"moviespider: {len(failed)} monitor(s) failed for the {spider} crawl: outcome "
            f"{stats.get(OUTCOME_STAT)} (exit status {stats.get(EXIT_STATUS_STAT)}), close "
            f"reason {stats.get('finish_reason')}, {stats.get('item_scraped_count') or 0} items",
            "",
        ]
        for result in failed:
            monitor = result.item
            lines.append(f"- {monitor.monitor_name}: {monitor.method_name}: {result.reason}")
        if report := crawler.settings.get("REPORT"):
            lines += ["", f"Report: {report}"]
        alerts.queue(
            f"moviespider: {spider} crawl: {len(failed)} monitor(s) failed", "\n".join(lines)
        )
