"""The deadline service's business metrics (names as in docs/ARCHITECTURE.md) behind the handlers' metrics port."""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from dunghan.contract.events import DossierClassified

RESOLVED = Counter(
    "dunghan_dossiers_resolved_total", "Dossiers whose clock stopped, by outcome.",
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
WARNINGS = Counter("dunghan_deadline_warnings_total", "Deadline warnings emitted.", ["threshold"])
APOLOGIES = Counter("dunghan_apologies_total", "Apology letters (form 04) issued.", ["agency"])
SUPPLEMENTS = Counter("dunghan_supplement_requests_total", "Supplement requests (form 02).", ["agency"])
BANDS = ("in_time", "due_soon", "overdue", "waiting_applicant")


class PrometheusMetrics:
    def __init__(self) -> None:
        self._seen: set[tuple[str, str]] = set()

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
