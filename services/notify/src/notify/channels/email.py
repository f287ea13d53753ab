"""E-mail over SMTP (smtplib): optional STARTTLS and login, multipart plain text + HTML, UTF-8, timeouts."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from notify.channels.base import Outgoing, PermanentError, TransientError


class SmtpMailer:
    def __init__(
        self, host: str, port: int, *, sender: str, starttls: bool = False, username: str | None = None,
        password: str | None = None, timeout: float = 10.0, ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.username, self.password = starttls, username, password
        self.timeout = timeout
        self.ssl_context = ssl_context

    def build(self, message: Outgoing) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = message.to
        msg["Subject"] = message.subject
        # One Message-ID per notification: a resend after a crash between SMTP and the commit is the same mail.
        msg["Message-ID"] = f"<notification-{message.notification_id}@dunghan>" if message.notification_id \
            else make_msgid(domain="dunghan")
        msg.set_content(message.text, charset="utf-8")
        if message.html:
            msg.add_alternative(message.html, subtype="html", charset="utf-8")
        return msg

    def send(self, message: Outgoing) -> str:
        msg = self.build(message)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=self.ssl_context or ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise _by_code(min(codes, default=550), "recipient refused") from exc
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, _reason(exc.smtp_error)) from exc
        except OSError as exc:
            raise TransientError(f"smtp {type(exc).__name__}") from exc
        return str(msg["Message-ID"])


def _reason(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _by_code(code: int, reason: str) -> TransientError | PermanentError:
    text = f"smtp {code}: {reason}"[:300]
    return TransientError(text) if 400 <= code < 500 else PermanentError(text)
