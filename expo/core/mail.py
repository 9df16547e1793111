"""Outgoing mail: SMTP when configured, otherwise .eml files in instance/outbox."""

from __future__ import annotations

import smtplib
import time
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template
from jinja2 import TemplateNotFound

from ..jobs import enqueue


@dataclass
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


@dataclass
class Mail:
    to: list[str]
    subject: str
    text: str
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    reply_to: str | None = None


def build_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(mail.to)
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="expo.local")
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    for attachment in mail.attachments:
        maintype, _, subtype = attachment.mimetype.partition("/")
        message.add_attachment(attachment.content, maintype=maintype,
                               subtype=subtype or "octet-stream",
                               filename=attachment.filename)
    return message


def deliver(message: EmailMessage, config: dict) -> str:
    """Send one message; answers where it went (an SMTP host or an .eml path)."""
    if config.get("MAIL_SERVER"):
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25),
                          timeout=30) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
        return f"smtp://{config['MAIL_SERVER']}"
    outbox = Path(config["OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}.eml"
    path.write_bytes(bytes(message))
    return str(path)


def _mail_config(app_config) -> dict:
    keys = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_USE_TLS",
            "OUTBOX_DIR")
    return {key: app_config.get(key) for key in keys}


def deliver_bytes(raw: bytes, config: dict) -> str:
    """Job entry point: a serialised message, so RQ workers need no app context."""
    from email import message_from_bytes, policy

    return deliver(message_from_bytes(raw, policy=policy.default), config)


def send(mail: Mail) -> None:
    """Queue one mail (RQ when Redis is configured, otherwise at once)."""
    message = build_message(mail, current_app.config["MAIL_DEFAULT_SENDER"])
    enqueue(deliver_bytes, bytes(message), _mail_config(current_app.config))


def send_template(to: str | list[str], subject: str, template: str,
                  attachments: list[Attachment] | None = None, **context) -> None:
    """Render templates/mail/<template>.txt (and .html when present) and send."""
    recipients = [to] if isinstance(to, str) else list(to)
    text = render_template(f"mail/{template}.txt", **context)
    try:
        html = render_template(f"mail/{template}.html", **context)
    except TemplateNotFound:
        html = None
    send(Mail(to=recipients, subject=subject, text=text, html=html,
              attachments=attachments or []))
