"""Building blocks of the Grafana dashboards (plain dicts, deterministic output): panels, queries, variables,
layout, and Vietnamese names for label codes (channels)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "dashboards"
DS = {"type": "prometheus", "uid": "prometheus"}
TARGET = "dunghan:ontime_target:ratio"
Steps = list[dict[str, Any]]
ONTIME_STEPS: Steps = [
    {"color": "red", "value": None}, {"color": "orange", "value": 0.9}, {"color": "green", "value": 0.95},
]
BAD_IF_ANY: Steps = [{"color": "green", "value": None}, {"color": "red", "value": 1}]
GOOD_IF_ANY: Steps = [{"color": "red", "value": None}, {"color": "green", "value": 1}]
Panel = dict[str, Any]
# Names staff read instead of codes (DOMAIN.md: reception channels; notify's delivery channels).
RECEPTION_CHANNELS = {"1": "Trực tiếp", "2": "Trực tuyến", "3": "Bưu chính công ích"}
NOTIFY_CHANNELS = {"email": "Thư điện tử", "sms": "Tin nhắn SMS"}
AGE_NAMES = {"0-1d": "dưới 1 ngày", "1-3d": "1–3 ngày", "3-7d": "3–7 ngày", "7-30d": "7–30 ngày",
             "30d+": "trên 30 ngày"}


def named(expr: str, label: str, names: dict[str, str], to: str = "ten") -> str:
    """``expr`` with a label ``to`` holding the staff-facing name of ``label``'s code (codes without a name keep
    the code)."""
    out = f'label_replace({expr}, "{to}", "$1", "{label}", "(.*)")'
    for code, name in names.items():
        out = f'label_replace({out}, "{to}", "{name}", "{label}", "{code}")'
    return out


def zero_if_none(expr: str, like: str) -> str:
    """``expr``, or 0 for every series of ``like`` when it has none: a healthy system shows 0, not "No data"."""
    return f"({expr}) or ({like} * 0)"


def q(expr: str, legend: str = "", *, instant: bool = False, table: bool = False) -> dict[str, Any]:
    t = {"datasource": DS, "expr": expr, "legendFormat": legend, "instant": instant or table,
         "range": not (instant or table)}
    if table:
        t["format"] = "table"
    return t


def panel(kind: str, title: str, targets: list[dict[str, Any]], *, w: int = 12, h: int = 8, unit: str = "short",
          steps: list[dict[str, Any]] | None = None, options: dict[str, Any] | None = None,
          overrides: list[dict[str, Any]] | None = None, description: str = "",
          data_links: list[dict[str, Any]] | None = None, transformations: list[dict[str, Any]] | None = None,
          ) -> Panel:
    for ref, t in zip("ABCDEFGH", targets, strict=False):
        t["refId"] = ref
    defaults: dict[str, Any] = {"unit": unit}
    if steps:
        defaults["thresholds"] = {"mode": "absolute", "steps": steps}
        defaults["color"] = {"mode": "thresholds"}
    if unit == "percentunit":
        defaults.update(min=0, max=1)
    if data_links:
        defaults["links"] = data_links
    extra = {"transformations": transformations} if transformations else {}
    return {
        "type": kind, "title": title, "description": description, "datasource": DS, "targets": targets,
        "gridPos": {"w": w, "h": h},
        "fieldConfig": {"defaults": defaults, "overrides": overrides or []},
        "options": options or {}, **extra,
    }


def target_line(ref: str) -> dict[str, Any]:
    """Draws the campaign target as a dashed red line."""
    return {
        "matcher": {"id": "byFrameRefID", "options": ref},
        "properties": [
            {"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}},
            {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}},
            {"id": "custom.fillOpacity", "value": 0},
        ],
    }


def textbox(name: str, label: str, default: str) -> dict[str, Any]:
    return {"name": name, "label": label, "type": "textbox", "query": default, "hide": 0,
            "current": {"selected": False, "text": default, "value": default},
            "options": [{"selected": True, "text": default, "value": default}]}


def links(*items: tuple[str, str]) -> list[dict[str, Any]]:
    """Data links (title, URL with ${__data.fields.<name>} and dashboard variables) on a panel's fields."""
    return [{"title": title, "url": url, "targetBlank": True} for title, url in items]


def variable(name: str, label: str, query: str) -> dict[str, Any]:
    return {
        "name": name, "label": label, "type": "query", "datasource": DS, "refresh": 2, "sort": 1,
        "query": {"query": query, "refId": f"var-{name}"}, "definition": query,
        "includeAll": True, "multi": True, "allValue": ".*",
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
    }


def layout(panels: list[Panel]) -> list[Panel]:
    """Packs panels left to right in Grafana's 24-column grid and numbers them."""
    x = y = row_h = 0
    for pid, p in enumerate(panels, start=1):
        w, h = p["gridPos"]["w"], p["gridPos"]["h"]
        if x + w > 24:
            x, y, row_h = 0, y + row_h, 0
        p["gridPos"] = {"x": x, "y": y, "w": w, "h": h}
        p["id"] = pid
        x, row_h = x + w, max(row_h, h)
    return panels


def dashboard(uid: str, title: str, panels: list[Panel], variables: list[dict[str, Any]], *,
              time_from: str = "now-30d", description: str = "") -> dict[str, Any]:
    return {
        "uid": uid, "title": title, "description": description, "tags": ["dunghan"],
        "timezone": "Asia/Ho_Chi_Minh", "editable": False, "graphTooltip": 1, "refresh": "1m",
        "schemaVersion": 39, "version": 1,
        "time": {"from": time_from, "to": "now"}, "templating": {"list": variables},
        "annotations": {"list": []}, "links": [], "panels": layout(panels),
    }


