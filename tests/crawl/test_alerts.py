"""Spidermon's monitors in real crawls, and their alerts to a local SMTP server and a local
webhook receiver that the tests start."""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING

import pytest

from tests.helpers.crawl import run_crawl

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = [
    pytest.mark.crawl,
    # The receiver takes a login without TLS: it is a test on 127.0.0.1.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]

SANDBOX = {"DOUBAN_SANDBOX": "1", "DOUBAN_SANDBOX_ARGS": "--catalog 300 --seed 1"}
USER, PASSWORD = "crawler", "s3cret-smtp-pass"
TOKEN = "T0KEN-in-the-path"


class Receivers:
    def __init__(self) -> None:
        self.mails: list[tuple[str, list[str], bytes]] = []
        self.posts: list[tuple[str, dict]] = []
        self.smtp_port = 0
        self.webhook_url = ""


@pytest.fixture
def receivers() -> Iterator[Receivers]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    got = Receivers()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            got.mails.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            return "250 OK"

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok)

    with socket.socket() as probe:  # aiosmtpd's Controller cannot take port 0 itself
        probe.bind(("127.0.0.1", 0))
        got.smtp_port = probe.getsockname()[1]
    smtp = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=got.smtp_port,
        authenticator=authenticate,
        auth_require_tls=False,
        auth_required=True,
    )
    smtp.start()

    class Webhook(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.posts.append((self.path, json.loads(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    http = HTTPServer(("127.0.0.1", 0), Webhook)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    got.webhook_url = f"http://127.0.0.1:{http.server_port}/hooks/{TOKEN}"
    try:
        yield got
    finally:
        http.shutdown()
        http.server_close()
        smtp.stop()


def alerting(receivers: Receivers) -> tuple[dict[str, str], dict[str, str]]:
    settings = {
        "ALERT_EMAIL_TO": "ops@example.com",
        "ALERT_EMAIL_FROM": "moviespider@example.com",
        "ALERT_SMTP_HOST": "127.0.0.1",
        "ALERT_SMTP_PORT": str(receivers.smtp_port),
    }
    env = {
        "ALERT_SMTP_USER": USER,
        "ALERT_SMTP_PASSWORD": PASSWORD,
        "ALERT_WEBHOOK_URL": receivers.webhook_url,
    }
    return settings, env


def test_low_coverage_sends_one_email_and_one_webhook_message(receivers, tmp_path: Path):
    settings, env = alerting(receivers)
    # The sandbox gives a quote to about 87% of the Top250: a 99% threshold is not met.
    result = run_crawl(
        "douban_top250",
        tmp_path,
        settings={**SANDBOX, **settings, "COVERAGE_THRESHOLDS": '{"quote": 0.99}'},
        env=env,
    )
    # The exit status stays the verdict for cron and CI (4: coverage_low).
    assert result.returncode == 4, result.log[-3000:]
    quote_share = sum(1 for film in result.items if film["quote"]) / len(result.items)
    expected_reason = f"quote in {100 * quote_share:.1f}% of {len(result.items)} items"

    assert len(receivers.mails) == 1
    sender, recipients, content = receivers.mails[0]
    assert (sender, recipients) == ("moviespider@example.com", ["ops@example.com"])
    mail = message_from_bytes(content)
    assert "douban_top250" in mail["Subject"]
    body = mail.get_payload(decode=True).decode()
    assert expected_reason in body
    assert "outcome coverage_low (exit status 4)" in body

    assert len(receivers.posts) == 1
    path, payload = receivers.posts[0]
    assert path == f"/hooks/{TOKEN}"
    assert set(payload) == {"text"}  # Slack's incoming-webhook shape
    assert expected_reason in payload["text"]

    # Credentials and the webhook's token never reach the log.
    assert PASSWORD not in result.log and TOKEN not in result.log
    assert "Sent the alert by email" in result.log
    assert "Sent the alert by webhook" in result.log


def test_a_good_crawl_passes_every_monitor_and_alerts_nobody(receivers, tmp_path: Path):
    settings, env = alerting(receivers)
    result = run_crawl("douban_top250", tmp_path, settings={**SANDBOX, **settings}, env=env)
    assert result.returncode == 0, result.log[-3000:]
    assert "[Spidermon] FAILED" not in result.log
    assert result.log.count("[Spidermon] OK") >= 1
    assert receivers.mails == [] and receivers.posts == []


def test_each_webhook_format_gets_the_json_its_service_takes():
    from moviespider.monitors.settings import WebhookChannel, guess_format, webhook_payload

    discord = WebhookChannel(
        url="https://discord.com/api/webhooks/1/x", format="discord", telegram_chat_id=None
    )
    assert webhook_payload(discord, "x" * 3000) == {"content": "x" * 2000}
    telegram = WebhookChannel(
        url="https://api.telegram.org/botX/sendMessage", format="telegram", telegram_chat_id="42"
    )
    assert webhook_payload(telegram, "hi") == {"chat_id": "42", "text": "hi"}
    assert guess_format("https://discord.com/api/webhooks/1/x") == "discord"
    assert guess_format("https://api.telegram.org/botX/sendMessage") == "telegram"
    assert guess_format("https://hooks.slack.com/services/A/B/C") == "slack"
    assert TOKEN not in repr(
        WebhookChannel(url=f"https://h/{TOKEN}", format="slack", telegram_chat_id=None)
    )


@pytest.mark.parametrize(
    ("settings", "env", "message"),
    [
        (
            {"MONITOR_MAX_FAILED_SHARE": "2"},
            {},
            "setting MONITOR_MAX_FAILED_SHARE: expected a share from 0 to 1, got 2",
        ),
        (
            {"ALERT_EMAIL_TO": "ops@example.com", "ALERT_EMAIL_FROM": "a@example.com"},
            {},
            "setting ALERT_SMTP_HOST: needed to send ALERT_EMAIL_TO alerts",
        ),
        (
            {},
            {"ALERT_WEBHOOK_URL": "ftp://example.com/x"},
            "environment variable ALERT_WEBHOOK_URL: not an http(s) URL",
        ),
    ],
)
def test_a_bad_alert_setting_stops_the_crawl_in_one_line(tmp_path, settings, env, message):
    result = run_crawl("douban_top250", tmp_path, settings={**SANDBOX, **settings}, env=env)
    assert result.returncode == 2
    assert f"moviespider: error: {message}" in result.stderr.splitlines()
    assert "Traceback" not in result.stderr
