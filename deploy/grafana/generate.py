"""Grafana dashboards as code: writes deploy/grafana/dashboards/*.json (plain dicts, deterministic output)."""
from __future__ import annotations

import json
import sys
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


def q(expr: str, legend: str = "", *, instant: bool = False) -> dict[str, Any]:
    return {"datasource": DS, "expr": expr, "legendFormat": legend, "instant": instant, "range": not instant}


def panel(kind: str, title: str, targets: list[dict[str, Any]], *, w: int = 12, h: int = 8, unit: str = "short",
          steps: list[dict[str, Any]] | None = None, options: dict[str, Any] | None = None,
          overrides: list[dict[str, Any]] | None = None, description: str = "") -> Panel:
    for ref, t in zip("ABCDEFGH", targets, strict=False):
        t["refId"] = ref
    defaults: dict[str, Any] = {"unit": unit}
    if steps:
        defaults["thresholds"] = {"mode": "absolute", "steps": steps}
        defaults["color"] = {"mode": "thresholds"}
    if unit == "percentunit":
        defaults.update(min=0, max=1)
    return {
        "type": kind, "title": title, "description": description, "datasource": DS, "targets": targets,
        "gridPos": {"w": w, "h": h},
        "fieldConfig": {"defaults": defaults, "overrides": overrides or []},
        "options": options or {},
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


def ontime() -> dict[str, Any]:
    sel = 'agency=~"$agency",unit=~"$unit"'
    panels = [
        panel("stat", "Tỷ lệ trước hạn và đúng hạn 30 ngày theo cơ quan", [
            q('agency:dunghan_ontime:ratio30d{agency=~"$agency"}', "{{agency}}", instant=True)],
            w=8, h=6, unit="percentunit", steps=ONTIME_STEPS),
        panel("stat", "Tỷ lệ trước hạn và đúng hạn hôm nay theo cơ quan", [
            q('agency:dunghan_ontime:ratio1d{agency=~"$agency"}', "{{agency}}", instant=True)],
            w=8, h=6, unit="percentunit", steps=ONTIME_STEPS),
        panel("stat", "Mục tiêu phong trào", [q(TARGET, "Mục tiêu", instant=True)], w=8, h=6, unit="percentunit"),
        panel("timeseries", "Tỷ lệ trước hạn và đúng hạn theo đơn vị (1 ngày) so với mục tiêu", [
            q(f"agency_unit:dunghan_ontime:ratio1d{{{sel}}}", "{{agency}} · {{unit}}"),
            q(TARGET, "Mục tiêu phong trào")],
            w=24, h=9, unit="percentunit", overrides=[target_line("B")]),
        panel("bargauge", "Tỷ lệ trước hạn và đúng hạn 30 ngày theo đơn vị", [
            q(f"sort(agency_unit:dunghan_ontime:ratio30d{{{sel}}})", "{{agency}} · {{unit}}", instant=True)],
            unit="percentunit", steps=ONTIME_STEPS, h=10,
            options={"orientation": "horizontal", "displayMode": "gradient"}),
        panel("bargauge", "Tỷ lệ trước hạn và đúng hạn 30 ngày theo lĩnh vực thủ tục", [
            q('sort(agency_procedure_field:dunghan_ontime:ratio30d{agency=~"$agency"})', "{{procedure_field}}",
              instant=True)],
            unit="percentunit", steps=ONTIME_STEPS, h=10,
            options={"orientation": "horizontal", "displayMode": "gradient"}),
        panel("timeseries", "Tỷ lệ trước hạn và đúng hạn đợt thi đua hiện tại theo đơn vị", [
            q('campaign_phase_unit:dunghan_campaign_ontime:ratio{unit=~"$unit"}', "{{unit}} (đợt {{phase}})"),
            q(TARGET, "Mục tiêu phong trào")],
            unit="percentunit", overrides=[target_line("B")]),
        panel("piechart", "Hồ sơ đã giải quyết 30 ngày: sớm, đúng hạn, trễ hạn", [
            q(f"sum by (outcome) (agency_unit_outcome:dunghan_dossiers_resolved:increase30d{{{sel}}})",
              "{{outcome}}", instant=True)],
            options={"pieType": "donut", "legend": {"displayMode": "table", "placement": "right"}}),
        panel("timeseries", "Thời gian giải quyết (giờ làm việc): trung vị và phân vị 90", [
            q('histogram_quantile(0.5, sum by (le, agency) '
              '(rate(dunghan_resolution_working_hours_bucket{agency=~"$agency"}[1d])))', "{{agency}} p50"),
            q('histogram_quantile(0.9, sum by (le, agency) '
              '(rate(dunghan_resolution_working_hours_bucket{agency=~"$agency"}[1d])))', "{{agency}} p90")],
            unit="h"),
        panel("timeseries", "Hồ sơ tiếp nhận mỗi ngày theo kênh", [
            q('sum by (channel) (increase(dunghan_dossiers_received_total{agency=~"$agency"}[1d]))',
              "{{channel}}")]),
    ]
    variables = [
        variable("agency", "Cơ quan", "label_values(agency_unit:dunghan_ontime:ratio30d, agency)"),
        variable("unit", "Đơn vị", 'label_values(agency_unit:dunghan_ontime:ratio30d{agency=~"$agency"}, unit)'),
    ]
    return dashboard("dunghan-ontime", "Giải quyết đúng hạn", panels, variables,
                     description="Tỷ lệ hồ sơ giải quyết sớm và đúng hạn theo cơ quan, đơn vị, lĩnh vực.")


def due() -> dict[str, Any]:
    sel = 'agency=~"$agency",unit=~"$unit"'
    band = "agency_unit_band:dunghan_open_dossiers:max"
    panels = [
        panel("stat", "Hồ sơ quá hạn", [
            q(f"sum(agency_unit:dunghan_overdue_dossiers:max{{{sel}}})", instant=True)],
            w=6, h=5, steps=BAD_IF_ANY),
        panel("stat", "Hồ sơ sắp đến hạn", [q(f'sum({band}{{{sel},band="due_soon"}})', instant=True)],
              w=6, h=5, steps=[{"color": "green", "value": None}, {"color": "orange", "value": 1}]),
        panel("stat", "Hồ sơ còn hạn", [q(f'sum({band}{{{sel},band="in_time"}})', instant=True)], w=6, h=5),
        panel("stat", "Chờ bổ sung (tạm dừng tính giờ)", [
            q(f'sum({band}{{{sel},band="waiting_applicant"}})', instant=True)], w=6, h=5),
        panel("timeseries", "Hồ sơ quá hạn theo đơn vị", [
            q(f"agency_unit:dunghan_overdue_dossiers:max{{{sel}}}", "{{agency}} · {{unit}}")]),
        panel("timeseries", "Hồ sơ sắp đến hạn theo đơn vị", [
            q(f'{band}{{{sel},band="due_soon"}}', "{{agency}} · {{unit}}")]),
        panel("table", "Đơn vị nhiều hồ sơ quá hạn nhất", [
            q(f"topk(10, agency_unit:dunghan_overdue_dossiers:max{{{sel}}} > 0)", instant=True)],
            options={"showHeader": True}),
        panel("bargauge", "Hồ sơ đang xử lý theo tình trạng", [
            q(f"sum by (band) ({band}{{{sel}}})", "{{band}}", instant=True)],
            options={"orientation": "horizontal", "displayMode": "basic"}),
        panel("timeseries", "Cảnh báo sắp đến hạn đã gửi mỗi ngày theo ngưỡng", [
            q("sum by (threshold) (increase(dunghan_deadline_warnings_total[1d]))", "{{threshold}}")], w=8),
        panel("timeseries", "Thư xin lỗi (mẫu 04) mỗi ngày", [
            q('sum by (agency) (increase(dunghan_apologies_total{agency=~"$agency"}[1d]))', "{{agency}}")], w=8),
        panel("timeseries", "Yêu cầu bổ sung hồ sơ (mẫu 02) mỗi ngày", [
            q('sum by (agency) (increase(dunghan_supplement_requests_total{agency=~"$agency"}[1d]))',
              "{{agency}}")], w=8),
    ]
    variables = [
        variable("agency", "Cơ quan", "label_values(agency_unit:dunghan_overdue_dossiers:max, agency)"),
        variable("unit", "Đơn vị",
                 'label_values(agency_unit:dunghan_overdue_dossiers:max{agency=~"$agency"}, unit)'),
    ]
    return dashboard("dunghan-due", "Hồ sơ sắp đến hạn và quá hạn", panels, variables, time_from="now-7d",
                     description="Hồ sơ đang xử lý: còn hạn, sắp đến hạn, quá hạn, chờ bổ sung.")


def standings() -> dict[str, Any]:
    sel = 'campaign=~"$campaign",phase=~"$phase"'
    panels = [
        panel("table", "Bảng điểm thi đua theo đơn vị", [
            q(f"sort_desc(max by (campaign, phase, unit) (dunghan_campaign_score{{{sel}}}))", instant=True)],
            w=12, h=12, options={"showHeader": True, "sortBy": [{"displayName": "Value", "desc": True}]}),
        panel("bargauge", "Tỷ lệ trước hạn và đúng hạn trong đợt (đợt đang mở)", [
            q(f"sort_desc(campaign_phase_unit:dunghan_campaign_ontime:ratio{{{sel}}})", "{{unit}}",
              instant=True)],
            w=12, h=12, unit="percentunit", steps=ONTIME_STEPS,
            options={"orientation": "horizontal", "displayMode": "gradient"}),
        panel("bargauge", "Hồ sơ trễ hạn trong đợt theo đơn vị (điều kiện xét khen: không có hồ sơ trễ)", [
            q(f'sort_desc(sum by (unit) (dunghan_campaign_resolved_total{{{sel},outcome="late"}}))', "{{unit}}",
              instant=True)],
            steps=BAD_IF_ANY,
            options={"orientation": "horizontal", "displayMode": "basic"}),
        panel("bargauge", "Hồ sơ đã giải quyết trong đợt theo đơn vị", [
            q(f"sort_desc(sum by (unit) (dunghan_campaign_resolved_total{{{sel}}}))", "{{unit}}", instant=True)],
            options={"orientation": "horizontal", "displayMode": "basic"}),
        panel("table", "Trạng thái các đợt thi đua", [
            q("max by (campaign, phase, state) (dunghan_campaign_phase_state) == 1", instant=True)],
            w=24, h=6, options={"showHeader": True}),
    ]
    variables = [
        variable("campaign", "Phong trào", "label_values(dunghan_campaign_score, campaign)"),
        variable("phase", "Đợt", 'label_values(dunghan_campaign_score{campaign=~"$campaign"}, phase)'),
    ]
    return dashboard("dunghan-standings", "Bảng xếp hạng thi đua", panels, variables, time_from="now-90d",
                     description="Xếp hạng đơn vị theo tiêu chí phong trào thi đua, từng đợt.")


def health() -> dict[str, Any]:
    dlq = 'queue=~".+\\\\.dlq"'
    panels = [
        panel("stat", "Worker đang chạy", [
            q('sum by (app) (up{job="dunghan-worker"})', "{{app}}", instant=True)], w=8, h=5, steps=GOOD_IF_ANY),
        panel("stat", "Web đang chạy", [
            q('sum by (app) (up{job="dunghan-web"})', "{{app}}", instant=True)], w=8, h=5, steps=GOOD_IF_ANY),
        panel("stat", "Thư chết (DLQ)", [q(f"sum(rabbitmq_queue_messages{{{dlq}}})", instant=True)],
              w=8, h=5, steps=BAD_IF_ANY),
        panel("timeseries", "Độ sâu hàng đợi (sẵn sàng và chưa xác nhận)", [
            q('sum by (queue) (rabbitmq_queue_messages_ready{queue!~".+\\\\.dlq"})', "{{queue}} sẵn sàng"),
            q('sum by (queue) (rabbitmq_queue_messages_unacked{queue!~".+\\\\.dlq"})',
              "{{queue}} chưa xác nhận")]),
        panel("timeseries", "Thư chết theo hàng đợi", [
            q(f"sum by (queue) (rabbitmq_queue_messages{{{dlq}}})", "{{queue}}"),
            q("sum by (queue) (increase(dunghan_messages_dead_lettered_total[5m]))", "{{queue}} mới chuyển")]),
        panel("timeseries", "Thông điệp xử lý mỗi giây theo kết quả", [
            q("sum by (queue, outcome) (rate(dunghan_messages_consumed_total[5m]))", "{{queue}} · {{outcome}}")],
            unit="ops"),
        panel("timeseries", "Thời gian xử lý thông điệp (p95)", [
            q("histogram_quantile(0.95, sum by (le, queue) (rate(dunghan_handler_duration_seconds_bucket[5m])))",
              "{{queue}}")], unit="s"),
        panel("timeseries", "Outbox: sự kiện chờ gửi", [q("service:dunghan_outbox_backlog:max", "{{service}}")]),
        panel("timeseries", "Outbox: tuổi sự kiện chờ lâu nhất", [
            q("service:dunghan_outbox_oldest_unpublished_age_seconds:max", "{{service}}")], unit="s"),
        panel("timeseries", "Sự kiện đã phát lên broker mỗi giây", [
            q("sum by (exchange) (rate(dunghan_messages_published_total[5m]))", "{{exchange}}")], unit="ops"),
        panel("timeseries", "Số consumer theo hàng đợi", [
            q('sum by (queue) (rabbitmq_queue_consumers{queue!~".+\\\\.dlq"})', "{{queue}}")]),
        panel("timeseries", "Thời gian phản hồi HTTP (p95) theo route", [
            q("histogram_quantile(0.95, sum by (le, service, route) "
              "(rate(dunghan_http_request_duration_seconds_bucket[5m])))", "{{service}} {{route}}")], unit="s"),
        panel("timeseries", "Lỗi HTTP 5xx mỗi giây", [
            q('sum by (service, route) (rate(dunghan_http_request_duration_seconds_count{status=~"5.."}[5m]))',
              "{{service}} {{route}}")], unit="reqps"),
        panel("timeseries", "Thông báo theo kênh và kết quả", [
            q("sum by (channel, result) (rate(dunghan_notifications_total[5m]))", "{{channel}} · {{result}}")],
            unit="ops", w=8),
        panel("timeseries", "Thông báo chờ gửi và tuổi lâu nhất", [
            q("max by (channel) (dunghan_notifications_pending)", "{{channel}} chờ gửi"),
            q("max by (channel) (dunghan_notification_oldest_pending_age_seconds)", "{{channel}} tuổi (giây)")],
            w=8),
        panel("timeseries", "Sự kiện đầu vào bị từ chối theo lý do", [
            q("sum by (reason) (increase(dunghan_inbound_rejected_total[1h]))", "{{reason}}")], w=8),
    ]
    return dashboard("dunghan-health", "Sức khỏe hệ thống", panels, [], time_from="now-6h",
                     description="Hàng đợi, thư chết, outbox, lỗi và độ trễ của đường ống xử lý.")


DASHBOARDS = {"ontime.json": ontime, "due.json": due, "standings.json": standings, "health.json": health}


def render() -> dict[str, str]:
    return {name: json.dumps(build(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
            for name, build in DASHBOARDS.items()}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in render().items():
        (OUT / name).write_text(text, encoding="utf-8")
        print(f"wrote {OUT / name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
