"""Staff pages of the campaign: phases and their state, standings with what each score is made of, corrections
after a freeze, the reward proposals' workflow — all through the service's own API, as the signed-in officer."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, redirect, render_template, request

from dunghan.web.pages import require_person
from dunghan.web.pages.internal import ApiError, call, get_json, post_json
from dunghan.web.pages.session import current_person, directory

bp = Blueprint("scoring_pages", __name__, template_folder="templates")
NAV = [("/thi-dua", "Thi đua"), ("/bao-cao/06a", "Mẫu 06a"), ("/bao-cao/chi-so", "Chỉ số phục vụ")]
STATES = {"open": "Đang diễn ra", "closed": "Đã sơ kết (đóng băng)", "drafted": "Dự thảo của hệ thống",
          "compiled": "Công đoàn đã trình", "decided": "Lãnh đạo đã quyết định"}
ACTIONS = {"drafted": "Hệ thống lập dự thảo", "added": "Thêm đề nghị", "removed": "Bớt đề nghị",
           "compiled": "Trình Lãnh đạo", "decided": "Quyết định khen thưởng"}
OUTCOMES = {"early": "trước hạn", "on_time": "đúng hạn", "late": "quá hạn"}
GATES = {"min_handled": "đủ số hồ sơ tối thiểu", "min_volume": "đủ khối lượng tối thiểu của nhóm",
         "no_complaints": "không có phản ánh, kiến nghị", "no_discipline": "không bị kỷ luật",
         "no_late": "không có hồ sơ quá hạn", "within_late_share": "tỷ lệ quá hạn trong giới hạn"}


def _base(campaign_id: str, phase: str) -> str:
    return f"/api/v1/campaigns/{quote(campaign_id, safe='')}/phases/{quote(phase, safe='')}"


def _page(campaign_id: str, phase: str) -> str:
    return f"/thi-dua/{quote(campaign_id, safe='')}/dot/{quote(phase, safe='')}"


@bp.get("/")
@require_person()
def home() -> Any:
    return redirect("/thi-dua")


@bp.get("/thi-dua")
@require_person()
def campaigns() -> Any:
    """Campaigns of the officer's agency, each phase with its state, and the final review."""
    me = current_person()
    assert me is not None
    items = [c for c in get_json("/api/v1/campaigns")["items"] if c["agency"] == me.agency]
    return render_template("scoring/campaigns.html", campaigns=items, states=STATES)


@bp.get("/thi-dua/<campaign_id>/dot/<phase>")
@require_person()
def standings(campaign_id: str, phase: str) -> Any:
    """Standings of a phase (or ``tong-ket``) by unit or by officer, each score's make-up, the corrections."""
    kind = "officer" if request.args.get("kind") == "officer" else "unit"
    st = get_json(f"{_base(campaign_id, phase)}/standings", kind=kind)
    corrections = get_json(f"{_base(campaign_id, phase)}/corrections")["items"] if st["state"] == "closed" else []
    cfg = st["config"]
    labels = {c["key"]: c["label"] for c in cfg.get("criteria", [])}
    role_criteria = {r["key"]: r for r in cfg.get("roles", [])}
    for r in cfg.get("roles", []):
        labels.update({c["key"]: c["label"] for c in r["criteria"]})
    return render_template("scoring/standings.html", st=st, kind=kind, labels=labels, roles=role_criteria,
                           corrections=corrections, states=STATES, gates=GATES, outcomes=OUTCOMES,
                           page=_page(campaign_id, phase), unit_name=directory().unit_name)


@bp.get("/thi-dua/<campaign_id>/dot/<phase>/khen-thuong")
@require_person()
def proposals(campaign_id: str, phase: str, error: ApiError | None = None, status: int = 200) -> Any:
    """The reward proposals of a review: the system's draft, the union's changes, the leadership's decision."""
    review = get_json(f"{_base(campaign_id, phase)}/proposals")
    me = current_person()
    assert me is not None
    return render_template("scoring/proposals.html", r=review, me=me, states=STATES, actions=ACTIONS,
                           page=_page(campaign_id, phase), error=error, done=request.args.get("ok"),
                           name_of=directory().name_of, unit_name=directory().unit_name), status


def _act(campaign_id: str, phase: str, path: str, body: dict[str, Any] | None, done: str) -> Any:
    try:
        post_json(f"{_base(campaign_id, phase)}/proposals{path}", body)
    except ApiError as exc:
        return proposals(campaign_id, phase, error=exc, status=exc.status)
    return redirect(f"{_page(campaign_id, phase)}/khen-thuong?ok={quote(done)}", code=303)


@bp.post("/thi-dua/<campaign_id>/dot/<phase>/khen-thuong/them")
@require_person("union")
def add(campaign_id: str, phase: str) -> Any:
    f = request.form
    body = {"kind": f.get("kind", ""), "subject": f.get("subject", "").strip(), "title": f.get("title", ""),
            "reason": f.get("reason", "").strip()}
    person = directory().by_code(body["subject"]) if body["kind"] == "officer" else None
    if person is not None:
        body.update(name=person.full_name, unit=person.unit)
    return _act(campaign_id, phase, "", body, "Đã thêm đề nghị.")


@bp.post("/thi-dua/<campaign_id>/dot/<phase>/khen-thuong/<int:proposal_id>/bot")
@require_person("union")
def remove(campaign_id: str, phase: str, proposal_id: int) -> Any:
    reason = request.form.get("reason", "").strip()
    return _act(campaign_id, phase, f"/{proposal_id}/remove", {"reason": reason}, "Đã bớt đề nghị.")


@bp.post("/thi-dua/<campaign_id>/dot/<phase>/khen-thuong/trinh")
@require_person("union")
def compile_(campaign_id: str, phase: str) -> Any:
    return _act(campaign_id, phase, "/compile", None, "Đã trình danh sách lên Lãnh đạo.")


@bp.post("/thi-dua/<campaign_id>/dot/<phase>/khen-thuong/quyet-dinh")
@require_person("leadership")
def decide(campaign_id: str, phase: str) -> Any:
    body = {"decision_number": request.form.get("decision_number", "").strip(),
            "decision_date": request.form.get("decision_date", "")}
    return _act(campaign_id, phase, "/decision", body, "Đã ghi quyết định khen thưởng.")


@bp.get("/thi-dua/<campaign_id>/dot/<phase>/khen-thuong.<fmt>")
@require_person()
def proposals_file(campaign_id: str, phase: str, fmt: str) -> Any:
    """The proposals as the DOCX tờ trình or the XLSX list (the API's own files)."""
    if fmt not in ("docx", "xlsx"):
        abort(404)
    return passthrough(f"{_base(campaign_id, phase)}/proposals", {"format": fmt})


def passthrough(path: str, query: dict[str, Any]) -> Response:
    """A file the API makes, handed to the browser as a download; an API error becomes an error page."""
    response = call("GET", path, query=query)
    if response.status_code != 200:
        message = (response.get_json(silent=True) or {}).get("error", {}).get("message", "")
        abort(response.status_code if response.status_code in (403, 404, 409, 422) else 400, description=message)
    return response
