"""The outbox and `flask send-mail` against a real SMTP server on 127.0.0.1."""
from network_app import mail
from network_app.extensions import db


def test_send_mail_delivers_the_outbox(runner, smtp_server, outbox):
    mail.queue("ada@example.org", "Hej", "Första raden\nåäö")
    db.session.commit()
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    [envelope] = smtp_server
    assert envelope.rcpt_tos == ["ada@example.org"]
    assert "Subject: Hej" in envelope.content.decode()
    [message] = outbox()
    assert message.sent_at is not None and message.attempts == 1
    assert runner.invoke(args=["send-mail"]).output.startswith("Sent 0")  # nothing is sent twice


def test_failed_sending_keeps_the_message_queued_with_its_attempts(runner, outbox, app):
    mail.queue("ada@example.org", "Hej", "Text")
    db.session.commit()
    for attempt in (1, 2):
        result = runner.invoke(args=["send-mail"])  # MAIL_PORT 1: nothing listens
        assert result.exit_code == 1
        [message] = outbox()
        assert message.sent_at is None and message.attempts == attempt
        assert message.last_error


def test_password_reset_mail_arrives_over_smtp(client, runner, smtp_server, make_user):
    make_user(email="ada@example.org")
    client.post("/password/forgot", data={"email": "ada@example.org"})
    runner.invoke(args=["send-mail"])
    [envelope] = smtp_server
    assert "/password/reset/" in envelope.content.decode()
