import socket
import time

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from expo.core import mail


class Collect(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_without_smtp_mail_is_written_to_the_outbox(app):
    mail.send(mail.Mail(to=["delegate@example.org"], subject="Your badge", text="Hello",
                        attachments=[mail.Attachment("badge.pdf", b"%PDF-1.4", "application/pdf")]))
    from tests.core.test_accounts import outbox

    [message] = outbox(app)
    assert message["Subject"] == "Your badge"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "badge.pdf"
    assert attachment.get_content() == b"%PDF-1.4"


def test_with_smtp_configured_mail_goes_to_the_smtp_server(app, smtp_server):
    controller, handler = smtp_server
    app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
    mail.send(mail.Mail(to=["head@delegation.gov.sg"], subject="Delegation confirmed",
                        text="All five badges are ready."))
    deadline = time.monotonic() + 5
    while not handler.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    [message] = handler.messages
    assert message["To"] == "head@delegation.gov.sg"
    assert "All five badges" in message.get_payload()
    from pathlib import Path

    assert not Path(app.config["OUTBOX_DIR"]).exists()
