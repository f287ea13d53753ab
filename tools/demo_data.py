"""Demo data, pure: a deterministic year of inbound facts for one agency, in intake's inbound message format."""
from __future__ import annotations

import random
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_catalogue import Org, Procedure, Unit, parse_catalogue, parse_org, unit_for
from demo_people import applicant

from dunghan.calendar import WorkCalendar
from dunghan.deadline import Rules, WorkAxis, start_and_due

ONLINE, COUNTER, POST = 2, 1, 3
CHANNEL_WEIGHTS = {ONLINE: 66, COUNTER: 27, POST: 7}
LATE_RATE, ON_TIME_RATE, APOLOGY_SHARE = 0.04, 0.22, 0.45
SUPPLEMENT_RATE, FEE_RATE, REFUSED_ONLINE, REFUSED_COUNTER, WITHDRAWN = 0.12, 0.35, 0.03, 0.01, 0.006
PROCEDURE_WEIGHTS = {
    "SCT-XT-03": 14, "SCT-TP-02": 6, "SCT-TP-01": 5, "SCT-TM-06": 5, "SCT-XT-01": 4, "SCT-TM-01": 3,
    "SCT-TP-03": 3, "SCT-KK-01": 3, "SCT-DL-05": 3, "SCT-XT-02": 3, "SCT-TM-04": 2, "SCT-HC-04": 2,
    "SCT-CN-02": 2, "SCT-KK-03": 2, "SCT-TM-07": 2,
}
MONTH_WEIGHTS = (0.7, 0.6, 1.0, 1.0, 1.0, 1.05, 1.0, 1.0, 0.95, 1.05, 1.1, 1.25)
DEFAULT_STEPS = (("tiếp nhận", 4.0), ("phân công", 4.0), ("thẩm định", 40.0))
SUPPLEMENT_REASONS = (
    "Thiếu bản sao giấy chứng nhận đăng ký doanh nghiệp", "Bản vẽ mặt bằng chưa đúng quy định",
    "Thiếu hợp đồng thuê địa điểm kinh doanh", "Thiếu giấy xác nhận kiến thức an toàn thực phẩm",
    "Bản kê khai trang thiết bị chưa đầy đủ", "Thiếu văn bản giới thiệu hệ thống phân phối",
)
APOLOGY_REASONS = (
    "Cần kiểm tra thực tế tại cơ sở", "Chờ ý kiến phối hợp của Sở Xây dựng và Công an tỉnh",
    "Hồ sơ phức tạp, cần xin ý kiến Bộ Công Thương", "Cán bộ thẩm định đi công tác đột xuất",
)
REFUSAL_REASONS = ("Hồ sơ không đủ thành phần theo quy định", "Thủ tục không thuộc thẩm quyền của Sở Công Thương")


@dataclass(frozen=True)
class DossierPlan:
    code: str
    procedure: str
    channel: int
    unit: str
    officer: str
    intended: str  # early | on_time | late | refused | withdrawn | stopped
    facts: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Plan:
    agency: str
    dossiers: tuple[DossierPlan, ...]

    def facts(self) -> list[dict[str, Any]]:
        """Every fact in occurrence order (ties keep each dossier's order)."""
        return sorted((f for d in self.dossiers for f in d.facts), key=lambda f: (f["occurred_at"], f["event_id"]))


class _Year:
    """Shared state of one generation run: the calendar axis, the rng and each officer's propensity to be late."""

    def __init__(self, rng: random.Random, calendar: WorkCalendar, org: Org) -> None:
        self.rng, self.cal, self.org = rng, calendar, org
        self.axis = WorkAxis(calendar, Rules().windows)
        self.day = self.axis.day
        specialists = sorted({o for u in org.specialist_units for o in u.officers if o != u.head})
        factor = {o: rng.choice((0.0, 0.0, 0.0, 0.5, 1.0, 1.5, 3.0)) for o in specialists}
        self.workload = {o: rng.uniform(0.6, 1.6) for o in specialists}
        mean = sum(factor[o] * self.workload[o] for o in specialists) / sum(self.workload.values()) or 1.0
        self.late_factor = {o: f / mean for o, f in factor.items()}

    def at(self, pos: float) -> datetime:
        return self.axis.instant_start(int(pos))

    def day_open(self, pos: float) -> int:
        """Position of the opening of the working day holding ``pos`` (an instant within working hours)."""
        return int(pos) // self.day * self.day


def _spread(rng: random.Random, n: int, cal: WorkCalendar, start: date, end: date) -> list[date]:
    days = [start + timedelta(d) for d in range((end - start).days + 1)]
    days = [d for d in days if cal.is_working_day(d)]
    weights = [MONTH_WEIGHTS[d.month - 1] * (1.2 if d.weekday() == 0 else 1.0) for d in days]
    return sorted(rng.choices(days, weights, k=n))


def _channel(rng: random.Random, p: Procedure) -> int:
    allowed = [c for c in CHANNEL_WEIGHTS if c in p.channels] or [COUNTER]
    return rng.choices(allowed, [CHANNEL_WEIGHTS[c] for c in allowed])[0]


def _holder(y: _Year, step: str, unit: Unit, specialist: str) -> tuple[str, str]:
    if step == "phân công" or step.startswith("trưởng phòng"):
        return unit.code, unit.head
    if step.startswith("lãnh đạo") and y.org.office is not None:
        office = y.org.office
        return office.code, y.rng.choices(office.officers, [3 if o == office.officers[-1] else 1
                                                             for o in office.officers])[0]
    return unit.code, specialist


def _pick_result(y: _Year, intended: str, lo: int, due_pos: int) -> tuple[str, int]:
    """A result position for the intended outcome (dates against the due date), degrading when impossible."""
    rng, due_open = y.rng, y.day_open(due_pos - 1)
    if intended == "early" and due_open - lo > 3600:
        return "early", rng.randint(lo + (due_open - lo) // 4, due_open - 60)
    if intended in ("early", "on_time") and due_pos - max(lo, due_open) > 600:
        return "on_time", rng.randint(max(lo, due_open) + 60, due_pos - 60)
    late_day = max(due_open + y.day * rng.choice((1, 1, 1, 2, 2, 3, 4)), y.day_open(lo) + y.day)
    return "late", rng.randint(late_day + 60, late_day + y.day - 60)


Event = tuple[datetime, str, dict[str, Any]]
Draft = tuple[DossierPlan, datetime, list[Event]]


def _dossier(y: _Year, day: date, procs: Sequence[Procedure], start_of_year: datetime) -> Draft:
    rng, org = y.rng, y.org
    p = rng.choices(procs, [PROCEDURE_WEIGHTS.get(q.code, 1) for q in procs])[0]
    channel = _channel(rng, p)
    unit = unit_for(org, p.field)
    candidates = [o for o in unit.officers if o != unit.head] or [unit.head]
    specialist = rng.choices(candidates, [y.workload.get(o, 1.0) for o in candidates])[0]
    desk_officer = rng.choices(org.desk.officers, [1 if o == org.desk.head else 2 for o in org.desk.officers])[0]
    day_pos = y.cal.index_before(day.toordinal()) * y.day
    acc_pos = day_pos + rng.randint(60, y.day - 120)
    accepted_at = y.at(acc_pos)
    person = applicant(rng)
    events: list[Event] = []
    code_day = accepted_at
    if channel == ONLINE:
        earliest = max(start_of_year, datetime.combine(p.effective_from, time(0), tzinfo=y.cal.tz))
        submitted_at = max(accepted_at - timedelta(minutes=rng.randint(20, 3 * 24 * 60)), earliest)
        code_day = submitted_at
        events.append((submitted_at, "dossier.submitted",
                       {"procedure_code": p.code, "channel": channel, "applicant": person}))
    refuse_rate = REFUSED_ONLINE if channel == ONLINE else REFUSED_COUNTER
    if rng.random() < refuse_rate:
        events.append((accepted_at, "dossier.refused", {"reason": rng.choice(REFUSAL_REASONS),
                                                         "procedure_code": p.code, "channel": channel,
                                                         "unit": org.desk.code}))
        return _draft(p, channel, unit, specialist, "refused", code_day, events)
    start = start_and_due(y.axis, accepted_at, p.duration, p.cutoff)
    events.append((accepted_at, "dossier.accepted", {
        "procedure_code": p.code, "channel": channel, "unit": org.desk.code, "officer": desk_officer,
        "step": (p.steps or DEFAULT_STEPS)[0][0], "applicant": person,
        "appointment_at": y.axis.instant_end(start.base_due_pos).isoformat(),
    }))
    span = start.base_due_pos - start.start_pos
    lo = max(acc_pos, start.start_pos) + 600
    pause = 0
    supplement = span >= y.day and rng.random() < SUPPLEMENT_RATE
    if supplement:
        req = lo + int(rng.uniform(0.05, 0.3) * span)
        rec = y.day_open(req) + y.day * rng.randint(1, 8) + rng.randint(60, y.day - 60)
        pause = rec - max(req, start.start_pos)
        events.append((y.at(req), "supplement.requested", {"reason": rng.choice(SUPPLEMENT_REASONS)}))
        if rng.random() < 0.08:
            stop = y.day_open(req) + y.day * rng.randint(10, 20) + rng.randint(60, y.day - 60)
            events.append((y.at(stop), "dossier.stopped", {"reason": "Quá thời hạn bổ sung hồ sơ"}))
            return _draft(p, channel, unit, specialist, "stopped", code_day, events)
        events.append((y.at(rec), "supplement.received", {}))
        lo = rec + 600
    due_pos = start.base_due_pos + pause
    roll = rng.random()
    late_p = LATE_RATE * y.late_factor.get(specialist, 1.0)
    intended = "late" if roll < late_p else "on_time" if roll < late_p + ON_TIME_RATE else "early"
    intended, r = _pick_result(y, intended, lo, due_pos)
    active = r - acc_pos - pause
    steps = p.steps or (DEFAULT_STEPS if span >= y.day else (DEFAULT_STEPS[0], DEFAULT_STEPS[2]))
    weights = [hours * rng.uniform(0.4, 1.6) for _, hours in steps]
    elapsed = 0.0
    for (step, _), before in zip(steps[1:], weights, strict=False):
        elapsed += before / sum(weights) * active
        cut = acc_pos + int(elapsed)
        real = cut if not supplement or cut < req else cut + pause
        u, officer = _holder(y, step, unit, specialist)
        events.append((y.at(real), "dossier.transferred", {"unit": u, "officer": officer, "step": step}))
    if p.name.lower().startswith("cấp giấy phép") and rng.random() < FEE_RATE:
        fee_req = max(lo, acc_pos + int(0.6 * (r - acc_pos)))
        if r - fee_req > 1800:
            amount = rng.choice((800_000, 1_200_000, 2_200_000, 3_000_000))
            fee_paid = min(r - 300, fee_req + rng.randint(600, y.day))
            events.append((y.at(fee_req), "fee.requested", {"amount_vnd": amount}))
            events.append((y.at(fee_paid), "fee.paid", {"amount_vnd": amount}))
    if intended == "late" and rng.random() < APOLOGY_SHARE:
        _apology(y, events, lo, due_pos, r)
    if rng.random() < WITHDRAWN:
        events.append((y.at(r), "dossier.withdrawn", {"reason": "Tổ chức, cá nhân xin rút hồ sơ"}))
        return _draft(p, channel, unit, specialist, "withdrawn", code_day, events)
    decision = "approved" if rng.random() < 0.96 else "refused"
    events.append((y.at(r), "result.ready", {"decision": decision, "officer": specialist}))
    back = {ONLINE: (ONLINE, ONLINE, COUNTER, POST), COUNTER: (*(COUNTER,) * 9, POST), POST: (POST, POST, COUNTER)}
    returned = r + rng.randint(600, y.day * rng.choice((1, 1, 2, 3, 5)))
    events.append((y.at(returned), "result.returned", {"channel": rng.choice(back[channel])}))
    return _draft(p, channel, unit, specialist, intended, code_day, events)


def _draft(p: Procedure, channel: int, unit: Unit, officer: str, intended: str, code_day: datetime,
           events: list[Event]) -> Draft:
    return (DossierPlan("", p.code, channel, unit.code, officer, intended, ()), code_day,
            sorted(events, key=lambda e: e[0]))


def _apology(y: _Year, events: list[Event], lo: int, due_pos: int, r: int) -> None:
    """Form 04 at least one working day before the original due date, with a new date covering the result."""
    due_open = y.day_open(due_pos - 1)
    latest = due_open - y.day - 60
    earliest = max(lo, due_open - 3 * y.day)
    if latest <= earliest:
        return
    issued = y.rng.randint(earliest, latest)
    new_due = y.at(r).date() if y.rng.random() < 0.85 else y.cal.add_working_days(y.at(r).date(), 1)
    events.append((y.at(issued), "apology.issued", {"new_due_date": new_due.isoformat(),
                                                     "reason": y.rng.choice(APOLOGY_REASONS)}))


def generate(seed: int, catalogue: list[Procedure], org: Org, count: int, calendar: WorkCalendar,
             start: date, end: date, *, id_prefix: str = "demo") -> Plan:
    """``count`` dossiers accepted on working days in [start, end]; facts after ``end`` are left out."""
    rng = random.Random(f"dunghan-demo:{seed}")
    y = _Year(rng, calendar, org)
    drafts = []
    start_of_year = datetime.combine(start, time(0), tzinfo=calendar.tz)
    for day in _spread(rng, count, calendar, start, end):
        procs = [p for p in catalogue if p.in_force(day)]
        if procs:
            drafts.append(_dossier(y, day, procs, start_of_year))
    horizon = datetime.combine(end + timedelta(days=1), time(0), tzinfo=calendar.tz)
    per_day: dict[date, int] = defaultdict(int)
    out = []
    for plan, first, events in sorted(drafts, key=lambda d: d[2][0][0]):
        code_day = first.astimezone(calendar.tz).date()
        per_day[code_day] += 1
        code = f"{org.agency}-{code_day:%y%m%d}-{per_day[code_day]:04d}"
        facts = tuple(
            {"fact": fact, "event_id": f"{id_prefix}-{seed}-{code}-{i:02d}", "code": code, "agency": org.agency,
             "occurred_at": at.astimezone(calendar.tz).isoformat(), **fields}
            for i, (at, fact, fields) in enumerate(events, start=1) if at < horizon
        )
        out.append(DossierPlan(code, plan.procedure, plan.channel, plan.unit, plan.officer, plan.intended, facts))
    return Plan(org.agency, tuple(out))


def as_history(facts: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The facts as an import of past dossiers: every acceptance says ``history: true``, so the year counts in
    every figure and notifies nobody (docs/integration: loading history)."""
    return [{**f, "history": True} if f["fact"] == "dossier.accepted" else f for f in facts]


def load_plan(n: int, seed: int, start: date, end: date, *, data_dir: Path | None = None,
              calendar: WorkCalendar | None = None, id_prefix: str = "demo") -> Plan:
    """N dossiers with their events from the sample catalogue and org (for the demo, the chaos test, the bench)."""
    import yaml

    from dunghan.calendar import load_calendar

    folder = data_dir or Path(__file__).resolve().parents[1] / "services/intake/src/intake/data"
    catalogue = parse_catalogue(yaml.safe_load((folder / "procedures_sct.yaml").read_text(encoding="utf-8")))
    org = parse_org(yaml.safe_load((folder / "org_sct.yaml").read_text(encoding="utf-8")))
    cal = calendar or load_calendar(years=range(start.year, end.year + 2))
    return generate(seed, catalogue, org, n, cal, start, end, id_prefix=id_prefix)
