"""Shared test helpers: a seeded registry, a factory of valid inbound facts; makes ``intake_fakes`` importable."""
from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from dunghan.clock import LOCAL_TZ
from dunghan.contract.events import StepBudget
from intake.ports import Repository
from intake.records import Agency, Officer, ProcedureVersion, SourceSystem, Unit

sys.path.insert(0, str(Path(__file__).parent))

T0 = datetime(2017, 3, 6, 8, 30, tzinfo=LOCAL_TZ)
CODE = "SCT-170306-0001"
_ids = itertools.count(1)


def make_code(agency: str, day: date, seq: int) -> str:
    """A dossier code as the one-stop shops number them: agency, day received, sequence."""
    return f"{agency}-{day:%y%m%d}-{seq:04d}"


def seed(repo: Repository) -> None:
    with repo.transaction() as tx:
        tx.save_agency(Agency("SCT", "Sở Công Thương tỉnh Bà Rịa-Vũng Tàu"))
        tx.save_agency(Agency("STP", "Sở Tư pháp"))
        tx.save_unit(Unit("SCT-QLTM", "SCT", "Phòng Quản lý thương mại", "SCT-CB01"))
        tx.save_unit(Unit("STP-HCTP", "STP", "Phòng Hành chính tư pháp"))
        tx.save_officer(Officer("SCT-CB01", "SCT", "SCT-QLTM", "Nguyễn Văn An", "Trưởng phòng"))
        tx.save_officer(Officer("SCT-CB02", "SCT", "SCT-QLTM", "Trần Thị Bình", "Chuyên viên"))
        tx.save_procedure_version(ProcedureVersion(
            code="SCT-TM-01", version=1, agency="SCT", name="Cấp Giấy phép bán lẻ sản phẩm rượu",
            field="Lưu thông hàng hóa trong nước", statutory_value=15, statutory_unit="working_days",
            committed_value=10, committed_unit="working_days", effective_from=date(2016, 1, 1),
            steps=(StepBudget("tiếp nhận", 4), StepBudget("thẩm định", 56)),
        ))
        tx.save_procedure_version(ProcedureVersion(
            code="STP-01", version=1, agency="STP", name="Cấp phiếu lý lịch tư pháp", field="Lý lịch tư pháp",
            statutory_value=10, statutory_unit="working_days", committed_value=7, committed_unit="working_days",
            effective_from=date(2016, 1, 1),
        ))
        tx.save_source(SourceSystem("motcua-sct", "SCT", "system", amqp_user="motcua-sct"))
        tx.save_source(SourceSystem("motcua-stp", "STP", "system", amqp_user="motcua-stp"))


def make_fact(fact: str, code: str = CODE, at: datetime = T0, agency: str = "SCT", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"fact": fact, "event_id": f"ev-{next(_ids)}", "code": code, "agency": agency,
                            "occurred_at": at.isoformat()}
    defaults: dict[str, dict[str, Any]] = {
        "dossier.submitted": {"procedure_code": "SCT-TM-01", "applicant": {"name": "Công ty TNHH Biển Xanh"}},
        "dossier.accepted": {
            "procedure_code": "SCT-TM-01", "channel": 1, "unit": "SCT-QLTM", "officer": "SCT-CB02",
            "applicant": {"name": "Công ty TNHH Biển Xanh", "id_number": "079123456789", "phone": "0912345678"},
            "appointment_at": datetime(2017, 3, 20, 17, 0, tzinfo=LOCAL_TZ).isoformat(),
        },
        "dossier.refused": {"reason": "Hồ sơ không thuộc thẩm quyền"},
        "dossier.transferred": {"unit": "SCT-QLTM", "officer": "SCT-CB01", "step": "thẩm định"},
        "supplement.requested": {"reason": "Thiếu bản sao giấy chứng nhận đăng ký doanh nghiệp"},
        "apology.issued": {"new_due_date": "2017-03-24", "reason": "Cần xác minh thực tế"},
        "result.ready": {"decision": "approved"},
        "dossier.stopped": {"reason": "Theo đề nghị của cơ quan thanh tra"},
    }
    body.update(defaults.get(fact, {}))
    body.update(extra)
    return body


@pytest.fixture
def fact() -> Callable[..., dict[str, Any]]:
    return make_fact


def seeded_database(make_database: Callable[[str], str], hint: str) -> tuple[str, Any, Any]:
    """A migrated database of this run holding the sample registry and the one-stop shop's system as the broker's
    ``guest`` user: its URL, an engine and the SQL repository over it."""
    from dunghan.db import make_engine, upgrade
    from intake.bootstrap import MIGRATIONS
    from intake.repository import SqlRepository

    url = make_database(hint)
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    repo = SqlRepository(engine)
    seed(repo)
    with repo.transaction() as tx:
        tx.save_source(SourceSystem("motcua-sct", "SCT", "system", amqp_user="guest"))
    return url, engine, repo
