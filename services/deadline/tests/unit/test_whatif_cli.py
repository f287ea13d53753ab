"""`deadline what-if` arguments: a bad proposal is refused before the database is opened."""
from __future__ import annotations

import pytest

from deadline.cli import main
from deadline.whatif.inputs import parse_cli_change


def test_a_change_is_code_equals_duration() -> None:
    code, change = parse_cli_change("SCT-TM-01=7d")
    assert code == "SCT-TM-01" and (change.committed_value, change.committed_unit) == (7.0, "working_days")
    assert parse_cli_change("SCT-TP-02=4h")[1].committed_unit == "working_hours"
    assert parse_cli_change("SCT-TP-01=12cd")[1].committed_unit == "calendar_days"
    with pytest.raises(ValueError, match="CODE=DURATION"):
        parse_cli_change("SCT-TM-01")


def test_bad_arguments_exit_2_naming_the_problem(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["what-if", "--from", "2017-01-01", "--to", "2017-12-31", "--procedure", "SCT-TM-01=seven"])
    assert exit_.value.code == 2 and "bad duration" in capsys.readouterr().err
    assert main(["what-if", "--from", "2017-12-31", "--to", "2017-01-01"]) == 2
    assert "to:" in capsys.readouterr().err
    assert main(["what-if", "--from", "2017-01-01", "--to", "2017-12-31", "--window", "11:30-07:30"]) == 2
    assert "windows.0" in capsys.readouterr().err
    assert main(["what-if", "--from", "2017-01-01", "--to", "2017-12-31", "--target", "1.5"]) == 2
    assert "target" in capsys.readouterr().err
