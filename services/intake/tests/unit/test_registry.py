"""Catalogue and org loading: the shipped Sở Công Thương data, effective dates, CSV import, staff events."""
from __future__ import annotations

from datetime import date, datetime
from importlib import resources

from intake_fakes import InMemoryRepository

from intake.domain import VersionSpan, effective_version
from intake.registry import import_catalogue, load_org, parse_catalogue_csv, parse_catalogue_yaml

NOW = datetime(2017, 3, 1)


def data(name: str) -> str:
    return (resources.files("intake") / "data" / name).read_text(encoding="utf-8")


def test_shipped_catalogue_has_30_procedures_with_cut_durations_and_loads_idempotently():
    procedures = parse_catalogue_yaml(data("procedures_sct.yaml"))
    assert len({p.code for p in procedures}) >= 30
    assert all(p.committed_value <= p.statutory_value or p.committed_unit != p.statutory_unit for p in procedures)
    assert sum(1 for p in procedures if p.steps) >= 5
    repo = InMemoryRepository()
    load_org(repo, data("org_sct.yaml"), now=NOW)
    first = import_catalogue(repo, procedures, now=NOW)
    assert first["created"] == len(procedures)
    assert import_catalogue(repo, procedures, now=NOW)["created"] == 0
    with repo.transaction() as tx:
        versions = tx.procedure_versions("SCT-TM-01")
    spans = [VersionSpan(v.version, v.effective_from, v.effective_to, v.abolished) for v in versions]
    assert effective_version(spans, date(2017, 2, 16)).version == 1  # type: ignore[union-attr]
    chosen = effective_version(spans, date(2017, 3, 1))
    assert chosen is not None and versions[chosen.version - 1].committed_value == 10


def test_shipped_org_loads_units_heads_and_officers_and_publishes_staff_events():
    repo = InMemoryRepository()
    counts = load_org(repo, data("org_sct.yaml"), now=NOW)
    assert counts["units"] >= 7 and counts["officers"] >= 30
    with repo.transaction() as tx:
        assert tx.get_unit("SCT-QLTM").head_officer == "SCT-QLTM-01"  # type: ignore[union-attr]
        assert all(o.email and o.email.endswith("@sct.example.vn") for o in tx.list_officers("SCT", None))
    kinds = {ce.type for ce in repo.published}
    assert kinds == {"vn.dunghan.intake.unit_updated.v1", "vn.dunghan.intake.officer_updated.v1"}
    published = len(repo.published)
    load_org(repo, data("org_sct.yaml"), now=NOW)
    assert len(repo.published) == published


def test_csv_catalogue_import():
    text = ("code,agency,name,field,statutory_value,statutory_unit,committed_value,committed_unit,"
            "channels,effective_from,steps\n"
            "SCT-X-01,SCT,Cấp giấy phép thử,Điện,15,working_days,10,working_days,1;2,2017-02-17,"
            "tiếp nhận:4;thẩm định:76\n")
    [p] = parse_catalogue_csv(text)
    assert (p.committed_value, p.channels, p.steps[1].hours) == (10, (1, 2), 76)


def test_each_stored_or_closed_procedure_version_is_announced_for_the_due_date_preview():
    from intake.registry import announce_catalogue

    repo = InMemoryRepository()
    load_org(repo, data("org_sct.yaml"), now=NOW)
    versions = [p for p in parse_catalogue_yaml(data("procedures_sct.yaml")) if p.code == "SCT-TM-01"]
    import_catalogue(repo, versions, now=NOW)
    announced = [ce for ce in repo.published if ce.type == "vn.dunghan.intake.procedure_updated.v1"]
    assert {(ce.data["procedure"]["version"], ce.data["effective_to"]) for ce in announced} == {
        (1, "2017-02-17"), (2, None)}
    assert announced[0].data["procedure"]["code"] == "SCT-TM-01" and announced[0].data["agency"] == "SCT"
    before = len(repo.published)
    import_catalogue(repo, versions, now=NOW)  # nothing new: nothing announced
    assert len(repo.published) == before
    assert announce_catalogue(repo, now=NOW) == 2 and len(repo.published) == before + 2
