"""JSON logs carry context and never personal data."""
import json
import logging

from dunghan.logging import JsonFormatter, log_context, redact


def test_redact_masks_email_phone_and_id_numbers_but_not_dossier_codes():
    text = "gửi nva@sct.example.vn 0912345678 +84912345678 CCCD 079123456789 hồ sơ SCT-170125-0001"
    out = redact(text)
    assert "nva@" not in out and "0912345678" not in out and "079123456789" not in out
    assert "SCT-170125-0001" in out


def test_formatter_emits_one_json_line_with_context():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "gửi tới %s", ("a@b.vn",), None)
    with log_context(event_id="e1", dossier="SCT-170125-0001"):
        line = JsonFormatter("intake").format(record)
    entry = json.loads(line)
    assert entry["event_id"] == "e1" and entry["dossier"] == "SCT-170125-0001"
    assert entry["service"] == "intake" and "a@b.vn" not in line
