"""The `deadline` command line: due dates, working-day counts and the notices file."""
from __future__ import annotations

import json

import pytest

from deadline.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_due_prints_the_due_instant_version_and_explanation(capsys) -> None:
    out = run(capsys, "due", "--accepted", "2017-01-25T10:00+07:00", "--duration", "3d")
    assert out["due"] == "2017-02-06T17:00:00+07:00"
    assert out["due_date"] == "2017-02-06"
    assert out["calendar_version"].startswith("2024.1+holidays-")
    assert any("Tết" in line for line in out["explanation"])


def test_due_with_cutoff_and_pause(capsys) -> None:
    out = run(capsys, "due", "--accepted", "2017-03-01T15:30+07:00", "--duration", "2d", "--cutoff", "15:00",
              "--pause", "2017-03-03T09:00+07:00/2017-03-03T14:00+07:00")
    assert out["due"] == "2017-03-07T11:00:00+07:00"
    assert out["paused_working_hours"] == 3.5


@pytest.mark.parametrize(("duration", "due"), [
    ("0.5d", "2017-03-01T15:30:00+07:00"), ("4h", "2017-03-01T15:30:00+07:00"),
    ("10cd", "2017-03-13T17:00:00+07:00"), ("5d", "2017-03-08T17:00:00+07:00"),
])
def test_due_accepts_every_duration_kind(capsys, duration: str, due: str) -> None:
    assert run(capsys, "due", "--accepted", "2017-03-01T10:00+07:00", "--duration", duration)["due"] == due


def test_make_up_saturday_example(capsys) -> None:
    out = run(capsys, "due", "--accepted", "2024-04-26T10:00+07:00", "--duration", "3d")
    assert out["due_date"] == "2024-05-04"


def test_workdays_counts_phase_one_of_2017(capsys) -> None:
    out = run(capsys, "workdays", "--from", "2017-03-01", "--to", "2017-06-29")
    assert out["working_days"] == 84
    holidays = [d["date"] for d in out["days_off"] if d["kind"] != "weekend"]
    assert holidays == ["2017-04-06", "2017-04-30", "2017-05-01", "2017-05-02"]


def test_bad_duration_exits_with_an_error(capsys) -> None:
    assert main(["due", "--accepted", "2017-03-01T10:00+07:00", "--duration", "3w"]) == 2
    assert "bad duration" in capsys.readouterr().err


def test_naive_accepted_time_is_refused() -> None:
    with pytest.raises(SystemExit):
        main(["due", "--accepted", "2017-03-01T10:00", "--duration", "3d"])


def test_notices_add_then_list_and_the_new_day_is_off(capsys, tmp_path, monkeypatch) -> None:
    path = tmp_path / "notices.yaml"
    monkeypatch.setenv("CALENDAR_NOTICES_FILE", str(path))
    before = run(capsys, "workdays", "--from", "2030-01-01", "--to", "2030-01-31")
    added = run(capsys, "notices", "add", "--date", "2030-01-02", "--kind", "off", "--name", "Nghỉ bù",
                "--reference", "Thông báo 1/TB-LĐTBXH")
    assert added["file"] == str(path)
    listed = run(capsys, "notices", "list")
    assert listed[-1]["date"] == "2030-01-02" and listed[-1]["reference"] == "Thông báo 1/TB-LĐTBXH"
    after = run(capsys, "workdays", "--from", "2030-01-01", "--to", "2030-01-31")
    assert after["working_days"] == before["working_days"] - 1
    assert after["calendar_version"] != before["calendar_version"]


def test_notices_add_needs_a_file(monkeypatch) -> None:
    monkeypatch.delenv("CALENDAR_NOTICES_FILE", raising=False)
    with pytest.raises(SystemExit):
        main(["notices", "add", "--date", "2030-01-02", "--kind", "off", "--name", "x", "--reference", "y"])


def test_notices_list_defaults_to_the_packaged_file(capsys, monkeypatch) -> None:
    monkeypatch.delenv("CALENDAR_NOTICES_FILE", raising=False)
    listed = run(capsys, "notices", "list")
    assert {"2017-01-26", "2019-01-05", "2024-05-04"} <= {n["date"] for n in listed}
