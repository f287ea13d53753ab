"""The deadline service's business metrics (names as in docs/ARCHITECTURE.md) behind the handlers' metrics port.

Counters exist at 0 for every label set the open clocks can still produce (each scan, and each dossier as its
clock starts), so that the first resolution of a unit or field is counted by ``increase()``.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

from deadline.figures import OpenFigures
from dunghan.contract.events import DossierClassified
from dunghan.metrics import product, zero

OUTCOMES = ("early", "on_time", "late")
THRESHOLDS = ("d-1", "due_day", "overdue", "step")
BANDS = ("in_time", "due_soon", "overdue", "waiting_applicant")

RESOLVED = Counter(
    "dunghan_dossiers_resolved_total", "Dossiers whose clock stopped, by outcome (counted when processed).",
    ["agency", "unit", "procedure_field", "outcome"],
)
RESOLUTION_HOURS = Histogram(
    "dunghan_resolution_working_hours", "Working hours from start of counting to the clock stop.", ["agency"],
    buckets=(2, 4, 8, 16, 24, 40, 56, 80, 120, 160, 240, 480),
)
OPEN_DOSSIERS = Gauge(
    "dunghan_open_dossiers", "Open dossiers by risk band.", ["agency", "unit", "band"], multiprocess_mode="max"
)
OVERDUE_DOSSIERS = Gauge(
    "dunghan_overdue_dossiers", "Open dossiers past their due instant.", ["agency", "unit"],
    multiprocess_mode="max",
)
DUE_BY_DAY = Gauge(
    "dunghan_dossiers_due", "Open, running dossiers due later today or tomorrow (local calendar day).",
    ["agency", "unit", "day"], multiprocess_mode="max",
)
OVERDUE_BY_FIELD = Gauge(
    "dunghan_overdue_dossiers_by_field", "Open dossiers past their due instant, by procedure field.",
    ["agency", "procedure_field"], multiprocess_mode="max",
)
OVERDUE_BY_PROCEDURE = Gauge(
    "dunghan_overdue_dossiers_by_procedure", "Open dossiers past their due instant, by procedure (code).",
    ["agency", "procedure"], multiprocess_mode="max",
)
OVERDUE_BY_AGE = Gauge(
    "dunghan_overdue_dossiers_by_age", "Open dossiers past their due instant, by time since it (calendar days).",
    ["agency", "age"], multiprocess_mode="max",
)
OVERDUE_RECENT = Gauge(
    "dunghan_overdue_recent_dossiers",
    "Open dossiers whose due instant passed in the last 24 hours (live overdue, not history loaded late).",
    ["agency", "unit"], multiprocess_mode="max",
)
OLDEST_OVERDUE = Gauge(
    "dunghan_oldest_overdue_dossier_seconds",
    "Seconds past the due instant of the 20 longest-overdue open dossiers (code as label: bounded).",
    ["agency", "unit", "code"], multiprocess_mode="max",
)
WARNINGS = Counter("dunghan_deadline_warnings_total", "Deadline warnings emitted.", ["threshold"])
APOLOGIES = Counter("dunghan_apologies_total", "Apology letters (form 04) issued.", ["agency"])
SUPPLEMENTS = Counter("dunghan_supplement_requests_total", "Supplement requests (form 02).", ["agency"])

zero(WARNINGS, product(threshold=THRESHOLDS))


class PrometheusMetrics:
    def __init__(self) -> None:
        self._seen: set[tuple[str, str]] = set()
        self._shown: dict[Gauge, set[tuple[str, ...]]] = {}
        self._known: set[tuple[str, str, str]] = set()

    def warning(self, threshold: str) -> None:
        WARNINGS.labels(threshold=threshold).inc()

    def classified(self, c: DossierClassified) -> None:
        RESOLVED.labels(agency=c.agency, unit=c.unit, procedure_field=c.procedure_field, outcome=c.outcome).inc()
        RESOLUTION_HOURS.labels(agency=c.agency).observe(c.resolution_working_hours)

    def clock_event(self, agency: str, kind: str) -> None:
        if kind == "apology_issued":
            APOLOGIES.labels(agency=agency).inc()
        elif kind == "supplement_requested":
            SUPPLEMENTS.labels(agency=agency).inc()

    def dossier_open(self, agency: str, unit: str, procedure_field: str) -> None:
        """A running clock may resolve later: its label sets exist at 0 from now."""
        key = (agency, unit, procedure_field)
        if key in self._known:
            return
        self._known.add(key)
        zero(RESOLVED, product(agency=[agency], unit=[unit], procedure_field=[procedure_field], outcome=OUTCOMES))
        for metric in (RESOLUTION_HOURS, APOLOGIES, SUPPLEMENTS):
            metric.labels(agency=agency)

    def open_dossiers(self, counts: list[tuple[str, str, str, int]]) -> None:
        current = {(a, u) for a, u, _, _ in counts}
        for agency, unit in self._seen | current:
            for band in BANDS:
                OPEN_DOSSIERS.labels(agency=agency, unit=unit, band=band).set(0)
            OVERDUE_DOSSIERS.labels(agency=agency, unit=unit).set(0)
        for agency, unit, band, n in counts:
            OPEN_DOSSIERS.labels(agency=agency, unit=unit, band=band).set(n)
            if band == "overdue":
                OVERDUE_DOSSIERS.labels(agency=agency, unit=unit).set(n)
        self._seen = current

    def open_figures(self, f: OpenFigures) -> None:
        for agency, unit, field in f.label_sets:
            self.dossier_open(agency, unit, field)
        units = {(a, u) for a, u, _ in f.label_sets} | self._seen
        agencies = {a for a, _ in units}
        due = {(a, u, d): 0 for a, u in units for d in ("today", "tomorrow")} | dict(f.due_by_day)
        self._show(DUE_BY_DAY, due)
        self._show(OVERDUE_BY_FIELD, {(a, p): 0 for a, _, p in f.label_sets} | dict(f.overdue_by_field))
        self._show(OVERDUE_BY_PROCEDURE, {k: 0 for k in f.procedures} | dict(f.overdue_by_procedure))
        ages = {(a, label): 0 for a in agencies for label in ("0-1d", "1-3d", "3-7d", "7-30d", "30d+")}
        self._show(OVERDUE_BY_AGE, ages | dict(f.overdue_by_age))
        self._show(OVERDUE_RECENT, {k: 0 for k in units} | dict(f.overdue_recent))
        self._show(OLDEST_OVERDUE, {(c.agency, c.unit, c.code): late for c, late in f.oldest}, drop=True)

    def _show(self, gauge: Gauge, shown: Mapping[Any, float], *, drop: bool = False) -> None:
        """Set ``shown``; series shown before and absent now go to 0, or away with ``drop``."""
        values = dict(shown)
        for key in self._shown.get(gauge, set()) - set(values):
            if drop:
                gauge.remove(*key)
            else:
                values[key] = 0
        for key, v in values.items():
            gauge.labels(*key).set(v)
        self._shown[gauge] = set(values)
