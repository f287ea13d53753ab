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


def test_a_database_error_in_a_traceback_loses_its_values_and_identity_hashes():
    error = ("(psycopg.errors.UniqueViolation) duplicate key value violates unique constraint \"d_pkey\"\n"
             "DETAIL:  Key (applicant_name)=(Nguyễn Văn An) already exists.\n"
             "[SQL: INSERT INTO dossiers (applicant_name) VALUES (%(name)s)]\n"
             "[parameters: [{'name': 'Nguyễn Văn An', 'x': ']'}]]\n"
             "(Background on this error at: https://sqlalche.me/e/20/gkpj) " + "ab12" * 16)
    try:
        raise RuntimeError(error)
    except RuntimeError:
        import sys

        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    line = JsonFormatter("intake").format(record)
    assert "Nguyễn Văn An" not in line and "ab12" * 16 not in line
    assert "[parameters hidden]" in line and "INSERT INTO dossiers" in line


def test_engines_hide_sql_parameters():
    from dunghan.db import make_engine

    engine = make_engine("postgresql+psycopg://u@127.0.0.1:1/x")
    assert engine.hide_parameters
