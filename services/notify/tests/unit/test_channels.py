"""Channel adapters build what the providers need without sending anything."""
from notify.channels.base import Outgoing
from notify.channels.email import SmtpMailer


def test_email_message_id_is_fixed_per_notification_so_a_resend_is_the_same_mail():
    mailer = SmtpMailer(host="127.0.0.1", port=25, sender="Đúng hạn <dh@example.vn>")
    first = mailer.build(Outgoing(42, "email", "a@example.vn", "Hồ sơ sắp đến hạn", "Nội dung", "<p>Nội dung</p>"))
    again = mailer.build(Outgoing(42, "email", "a@example.vn", "Hồ sơ sắp đến hạn", "Nội dung", "<p>Nội dung</p>"))
    assert first["Message-ID"] == again["Message-ID"] == "<notification-42@dunghan>"
    assert first.get_content_type() == "multipart/alternative"
