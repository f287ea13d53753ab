from __future__ import annotations

from deadline_factories import accepted, at, cloud
from deadline_fakes import FakeMetrics, FakeRepository

from deadline import handlers
from deadline.config import Settings
from deadline.handlers import CalendarSource, Deps
from deadline.scheduler import ThresholdScan
from dunghan.calendar import load_calendar

BASE = load_calendar(years=range(2016, 2027))


def test_a_scan_with_a_fake_clock_emits_and_refreshes_the_risk_bands():
    repo = FakeRepository()
    deps = Deps(CalendarSource(BASE, repo.notices), metrics=FakeMetrics())
    for e in (accepted("A", at(2024, 5, 6)), accepted("B", at(2024, 5, 2))):
        handlers.handle_event(cloud(e), repo, deps, e.occurred_at)
    scan = ThresholdScan(repo, deps)
    assert scan(at(2024, 5, 8, 17, 30)) == 2
    assert scan(at(2024, 5, 8, 17, 31)) == 0
    assert sorted(deps.metrics.warnings) == ["d-1", "overdue"]
    assert deps.metrics.bands == [("SCT", "P1", "due_soon", 1), ("SCT", "P1", "overdue", 1)]


def test_settings_come_from_the_environment_with_defaults():
    s = Settings.from_env({"DATABASE_URL": "postgresql://x/db", "DEADLINE_SCAN_INTERVAL_SECONDS": "5",
                           "DEADLINE_RULES_FILE": "/etc/rules.yaml"})
    assert (s.database_url, s.scan_interval_seconds, s.rules_file, s.port) == (
        "postgresql://x/db", 5.0, "/etc/rules.yaml", 8002)


def test_a_scan_refreshes_the_operator_figures_and_a_starting_clock_zeroes_its_resolution_series():
    repo = FakeRepository()
    deps = Deps(CalendarSource(BASE, repo.notices), metrics=FakeMetrics())
    for e in (accepted("A", at(2024, 5, 6)), accepted("B", at(2024, 5, 2)), accepted("C", at(2024, 5, 8))):
        handlers.handle_event(cloud(e), repo, deps, e.occurred_at)
    assert deps.metrics.opened == {("SCT", "P1", "thuong_mai")}
    ThresholdScan(repo, deps)(at(2024, 5, 9, 10))
    f = deps.metrics.figures
    assert f is not None and f.label_sets == {("SCT", "P1", "thuong_mai")}
    assert f.overdue_by_field == {("SCT", "thuong_mai"): 1}
    assert [c.code for c, _ in f.oldest] == ["B"]
