"""Grafana dashboards as code: writes deploy/grafana/dashboards/*.json (``make dashboards``; a test fails on drift).

Figures "theo thời điểm xử lý" count a dossier when the system processed it (a history load lands the day it was
loaded); official figures "theo ngày giải quyết" come from scoring's database (month, year, open phases).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kit import (  # noqa: E402
    AGE_NAMES, BAD_IF_ANY, GOOD_IF_ANY, NOTIFY_CHANNELS, ONTIME_STEPS, OUT, RECEPTION_CHANNELS, TARGET, Panel,
    dashboard, links, named, panel, q, target_line, textbox, variable, zero_if_none,
)

BAR = {"orientation": "horizontal", "displayMode": "gradient"}
BASIC = {"orientation": "horizontal", "displayMode": "basic"}
TABLE = {"showHeader": True}
PROCESSING = "Theo thời điểm hệ thống xử lý việc giải quyết (tải lại lịch sử sẽ dồn vào lúc tải)."
OFFICIAL = "Số liệu chính thức theo ngày giải quyết, đọc từ cơ sở dữ liệu của dịch vụ thi đua (scoring)."


def ontime() -> dict[str, Any]:
    sel = 'agency=~"$agency",unit=~"$unit"'
    period = "agency_unit_period:dunghan_ontime:ratio"
    panels: list[Panel] = [
        panel("stat", "Tỷ lệ trước hạn và đúng hạn tháng này (chính thức)", [
            q('agency_period:dunghan_ontime:ratio{agency=~"$agency",period="month"}', "{{agency}}", instant=True)],
            w=6, h=6, unit="percentunit", steps=ONTIME_STEPS, description=OFFICIAL),
        panel("stat", "Tỷ lệ trước hạn và đúng hạn năm nay (chính thức)", [
            q('agency_period:dunghan_ontime:ratio{agency=~"$agency",period="year"}', "{{agency}}", instant=True)],
            w=6, h=6, unit="percentunit", steps=ONTIME_STEPS, description=OFFICIAL),
        panel("stat", "Tỷ lệ trước hạn và đúng hạn 24 giờ qua (theo thời điểm xử lý)", [
            q('agency:dunghan_ontime:ratio1d{agency=~"$agency"}', "{{agency}}", instant=True)],
            w=6, h=6, unit="percentunit", steps=ONTIME_STEPS, description=PROCESSING),
        panel("stat", "Mục tiêu phong trào", [q(TARGET, "Mục tiêu", instant=True)], w=6, h=6, unit="percentunit"),
        panel("bargauge", "Tỷ lệ trước hạn và đúng hạn tháng này theo đơn vị (chính thức)", [
            q(f'sort({period}{{{sel},period="month"}})', "{{unit}}", instant=True)],
            unit="percentunit", steps=ONTIME_STEPS, h=10, options=BAR, description=OFFICIAL),
        panel("bargauge", "Tỷ lệ trước hạn và đúng hạn 30 ngày theo lĩnh vực thủ tục (theo thời điểm xử lý)", [
            q('sort(agency_procedure_field:dunghan_ontime:ratio30d{agency=~"$agency"})', "{{procedure_field}}",
              instant=True)],
            unit="percentunit", steps=ONTIME_STEPS, h=10, options=BAR, description=PROCESSING),
        panel("timeseries", "Tỷ lệ trước hạn và đúng hạn theo đơn vị, 24 giờ trượt (theo thời điểm xử lý) so với mục tiêu", [
            q(f"agency_unit:dunghan_ontime:ratio1d{{{sel}}}", "{{agency}} · {{unit}}"),
            q(TARGET, "Mục tiêu phong trào")],
            w=24, h=9, unit="percentunit", overrides=[target_line("B")], description=PROCESSING),
        panel("bargauge", "Tỷ lệ trước hạn và đúng hạn 30 ngày theo đơn vị (theo thời điểm xử lý)", [
            q(f"sort(agency_unit:dunghan_ontime:ratio30d{{{sel}}})", "{{agency}} · {{unit}}", instant=True)],
            unit="percentunit", steps=ONTIME_STEPS, h=10, options=BAR, description=PROCESSING),
        panel("timeseries", "Tỷ lệ trước hạn và đúng hạn đợt thi đua đang mở theo đơn vị", [
            q('campaign_phase_unit:dunghan_campaign_ontime:ratio{unit=~"$unit"}', "{{unit}} (đợt {{phase}})"),
            q(TARGET, "Mục tiêu phong trào")],
            unit="percentunit", overrides=[target_line("B")], h=10,
            description="Chỉ các đợt đang mở; đợt đã kết thúc rời khỏi biểu đồ. " + OFFICIAL),
        panel("piechart", "Hồ sơ đã giải quyết tháng này: sớm, đúng hạn, trễ hạn (chính thức)", [
            q(f'sum by (outcome) (agency_unit_period_outcome:dunghan_period_dossiers_resolved:max'
              f'{{{sel},period="month"}})', "{{outcome}}", instant=True)],
            options={"pieType": "donut", "legend": {"displayMode": "table", "placement": "right"}},
            description=OFFICIAL),
        panel("timeseries", "Thời gian giải quyết (giờ làm việc): trung vị và phân vị 90, theo thời điểm xử lý", [
            q('histogram_quantile(0.5, sum by (le, agency) '
              '(rate(dunghan_resolution_working_hours_bucket{agency=~"$agency"}[1d])))', "{{agency}} p50"),
            q('histogram_quantile(0.9, sum by (le, agency) '
              '(rate(dunghan_resolution_working_hours_bucket{agency=~"$agency"}[1d])))', "{{agency}} p90")],
            unit="h", description=PROCESSING),
        panel("timeseries", "Hồ sơ tiếp nhận 24 giờ trượt theo kênh", [
            q(named('agency_channel:dunghan_dossiers_received:increase1d{agency=~"$agency"}', "channel",
                    RECEPTION_CHANNELS), "{{ten}}")],
            description="Kênh tiếp nhận: trực tiếp, trực tuyến, bưu chính công ích."),
    ]
    variables = [
        variable("agency", "Cơ quan", "label_values(agency_unit_period:dunghan_ontime:ratio, agency)"),
        variable("unit", "Đơn vị",
                 'label_values(agency_unit_period:dunghan_ontime:ratio{agency=~"$agency"}, unit)'),
    ]
    return dashboard("dunghan-ontime", "Giải quyết đúng hạn", panels, variables,
                     description="Tỷ lệ hồ sơ giải quyết sớm và đúng hạn theo cơ quan, đơn vị, lĩnh vực.")


def due() -> dict[str, Any]:
    sel = 'agency=~"$agency",unit=~"$unit"'
    band = "agency_unit_band:dunghan_open_dossiers:max"
    day = "agency_unit_day:dunghan_dossiers_due:max"
    clock = "${deadline_url}/api/v1/dossiers/${__data.fields.code}/clock"
    panels: list[Panel] = [
        panel("stat", "Hồ sơ quá hạn", [q(f"sum(agency_unit:dunghan_overdue_dossiers:max{{{sel}}})", instant=True)],
              w=5, h=5, steps=BAD_IF_ANY),
        panel("stat", "Đến hạn hôm nay", [q(f'sum({day}{{{sel},day="today"}})', instant=True)], w=5, h=5,
              steps=[{"color": "green", "value": None}, {"color": "orange", "value": 1}],
              description="Hồ sơ đang xử lý có hạn trả kết quả trong ngày hôm nay (theo lịch, giờ Việt Nam)."),
        panel("stat", "Đến hạn ngày mai", [q(f'sum({day}{{{sel},day="tomorrow"}})', instant=True)], w=5, h=5),
        panel("stat", "Hồ sơ còn hạn", [q(f'sum({band}{{{sel},band="in_time"}})', instant=True)], w=4, h=5),
        panel("stat", "Chờ bổ sung (tạm dừng tính giờ)", [
            q(f'sum({band}{{{sel},band="waiting_applicant"}})', instant=True)], w=5, h=5),
        panel("table", "Hồ sơ quá hạn lâu nhất (bấm mã hồ sơ để xem đồng hồ hạn)", [
            q(f'sort_desc(max by (agency, unit, code) (dunghan_oldest_overdue_dossier_seconds{{{sel}}}))',
              table=True)],
            w=12, h=10, unit="s", options=TABLE, data_links=links(("Đồng hồ hạn của hồ sơ", clock)),
            transformations=[{"id": "organize", "options": {
                "excludeByName": {"Time": True},
                "renameByName": {"agency": "Cơ quan", "unit": "Đơn vị", "code": "code",
                                 "Value": "Quá hạn (giây)"}}}],
            description="20 hồ sơ quá hạn lâu nhất; liên kết mở /api/v1/dossiers/<mã>/clock của dịch vụ deadline."),
        panel("bargauge", "Hồ sơ quá hạn theo thời gian quá hạn", [
            q(named('sum by (age) (max by (agency, age) (dunghan_overdue_dossiers_by_age{agency=~"$agency"}))',
                    "age", AGE_NAMES), "{{ten}}", instant=True)],
            w=6, h=10, options=BASIC, steps=BAD_IF_ANY),
        panel("bargauge", "Hồ sơ quá hạn theo lĩnh vực thủ tục", [
            q('sort_desc(max by (agency, procedure_field) '
              '(dunghan_overdue_dossiers_by_field{agency=~"$agency"}))', "{{procedure_field}}", instant=True)],
            w=6, h=10, options=BASIC, steps=BAD_IF_ANY),
        panel("timeseries", "Hồ sơ quá hạn theo đơn vị", [
            q(f"agency_unit:dunghan_overdue_dossiers:max{{{sel}}}", "{{agency}} · {{unit}}")]),
        panel("timeseries", "Hồ sơ mới quá hạn trong 24 giờ qua theo đơn vị", [
            q(f"agency_unit:dunghan_overdue_recent_dossiers:max{{{sel}}}", "{{agency}} · {{unit}}")],
            description="Không tính hồ sơ lịch sử được nạp khi đã quá hạn từ lâu."),
        panel("bargauge", "Đến hạn hôm nay và ngày mai theo đơn vị", [
            q(f'sort_desc(sum by (unit) ({day}{{{sel},day="today"}}))', "{{unit}} hôm nay", instant=True),
            q(f'sort_desc(sum by (unit) ({day}{{{sel},day="tomorrow"}}))', "{{unit}} ngày mai", instant=True)],
            options=BASIC),
        panel("bargauge", "Hồ sơ đang xử lý theo tình trạng", [
            q(named(f"sum by (band) ({band}{{{sel}}})", "band", {
                "in_time": "Còn hạn", "due_soon": "Sắp đến hạn", "overdue": "Quá hạn",
                "waiting_applicant": "Chờ bổ sung"}), "{{ten}}", instant=True)],
            options=BASIC),
        panel("timeseries", "Cảnh báo hạn đã gửi, 24 giờ trượt, theo ngưỡng", [
            q("sum by (threshold) (increase(dunghan_deadline_warnings_total[1d]))", "{{threshold}}")], w=8),
        panel("timeseries", "Thư xin lỗi (mẫu 04), 24 giờ trượt", [
            q('sum by (agency) (increase(dunghan_apologies_total{agency=~"$agency"}[1d]))', "{{agency}}")], w=8),
        panel("timeseries", "Yêu cầu bổ sung hồ sơ (mẫu 02), 24 giờ trượt", [
            q('sum by (agency) (increase(dunghan_supplement_requests_total{agency=~"$agency"}[1d]))',
              "{{agency}}")], w=8),
    ]
    variables = [
        variable("agency", "Cơ quan", "label_values(agency_unit:dunghan_overdue_dossiers:max, agency)"),
        variable("unit", "Đơn vị",
                 'label_values(agency_unit:dunghan_overdue_dossiers:max{agency=~"$agency"}, unit)'),
        textbox("deadline_url", "Địa chỉ dịch vụ deadline", "http://localhost:8002"),
    ]
    return dashboard("dunghan-due", "Hồ sơ sắp đến hạn và quá hạn", panels, variables, time_from="now-7d",
                     description="Việc trong ngày: đến hạn hôm nay, ngày mai, quá hạn và quá hạn bao lâu.")


def standings() -> dict[str, Any]:
    sel = 'campaign=~"$campaign",phase=~"$phase"'
    outcome = "campaign_phase_unit_outcome:dunghan_campaign_phase_dossiers:max"
    panels: list[Panel] = [
        panel("table", "Bảng điểm thi đua theo đơn vị", [
            q(f"sort_desc(max by (campaign, phase, unit) (dunghan_campaign_score{{{sel}}}))", table=True)],
            w=12, h=12, options={"showHeader": True, "sortBy": [{"displayName": "Value", "desc": True}]},
            description="Đợt đang mở: điểm tính trực tiếp; đợt đã kết thúc: điểm đã chốt."),
        panel("bargauge", "Tỷ lệ trước hạn và đúng hạn trong đợt (đợt đang mở)", [
            q(f"sort_desc(campaign_phase_unit:dunghan_campaign_ontime:ratio{{{sel}}})", "{{unit}}",
              instant=True)],
            w=12, h=12, unit="percentunit", steps=ONTIME_STEPS, options=BAR),
        panel("bargauge", "Hồ sơ trễ hạn trong đợt đang mở theo đơn vị (điều kiện xét khen: không có hồ sơ trễ)", [
            q(f'sort_desc(sum by (unit) ({outcome}{{{sel},outcome="late"}}))', "{{unit}}", instant=True)],
            steps=BAD_IF_ANY, options=BASIC),
        panel("bargauge", "Hồ sơ đã giải quyết trong đợt đang mở theo đơn vị", [
            q(f"sort_desc(sum by (unit) (campaign_phase_unit:dunghan_campaign_phase_dossiers:sum{{{sel}}}))",
              "{{unit}}", instant=True)],
            options=BASIC),
        panel("table", "Trạng thái các đợt thi đua", [
            q("max by (campaign, phase, state) (dunghan_campaign_phase_state) == 1", table=True)],
            w=24, h=6, options=TABLE),
    ]
    variables = [
        variable("campaign", "Phong trào", "label_values(dunghan_campaign_phase_state, campaign)"),
        variable("phase", "Đợt", 'label_values(dunghan_campaign_phase_state{campaign=~"$campaign"}, phase)'),
    ]
    return dashboard("dunghan-standings", "Bảng xếp hạng thi đua", panels, variables, time_from="now-90d",
                     description="Xếp hạng đơn vị theo tiêu chí phong trào thi đua, từng đợt.")


def health() -> dict[str, Any]:
    dlq = 'queue=~".+\\\\.dlq"'
    work = 'queue=~"(.+\\\\.)?(intake\\\\.inbound|deadline\\\\.events|scoring\\\\.events|notify\\\\.events)"'
    notif = "dunghan_notifications_total"
    panels: list[Panel] = [
        panel("stat", "Cảnh báo đang phát", [
            q('count by (severity) (ALERTS{alertstate="firing"}) or on () vector(0)', "{{severity}}",
              instant=True)], w=6, h=5, steps=BAD_IF_ANY),
        panel("stat", "Worker đang chạy", [
            q('sum by (app) (up{job="dunghan-worker"})', "{{app}}", instant=True)], w=6, h=5, steps=GOOD_IF_ANY),
        panel("stat", "Web đang chạy", [
            q('sum by (app) (up{job="dunghan-web"})', "{{app}}", instant=True)], w=6, h=5, steps=GOOD_IF_ANY),
        panel("stat", "Thư chết (DLQ)", [q(f"sum(rabbitmq_queue_messages{{{dlq}}})", instant=True)],
              w=6, h=5, steps=BAD_IF_ANY),
        panel("table", "Cảnh báo đang phát", [
            q('sort_desc(max by (alertname, severity, service, queue, channel) (ALERTS{alertstate="firing"}))',
              table=True)], w=24, h=6, options=TABLE),
        panel("table", "Thành phần của worker (1: đang chạy) và số lần khởi động lại trong 1 giờ", [
            q("min by (service, component) (dunghan_component_up)", table=True),
            q("sum by (service, component) (increase(dunghan_component_restarts_total[1h]))", table=True)],
            options=TABLE, transformations=[{"id": "merge", "options": {}}]),
        panel("table", "Tác vụ định kỳ: lần chạy thành công gần nhất (giây trước) và lỗi trong 24 giờ", [
            q("time() - max by (service, task) (dunghan_scheduled_last_success_timestamp_seconds)", table=True),
            q('sum by (service, task) (increase(dunghan_scheduled_runs_total{result="failed"}[1d]))', table=True)],
            options=TABLE, transformations=[{"id": "merge", "options": {}}]),
        panel("timeseries", "Độ sâu hàng đợi (sẵn sàng và chưa xác nhận)", [
            q(f"sum by (queue) (rabbitmq_queue_messages_ready{{{work}}})", "{{queue}} sẵn sàng"),
            q(f"sum by (queue) (rabbitmq_queue_messages_unacked{{{work}}})", "{{queue}} chưa xác nhận")]),
        panel("timeseries", "Số consumer theo hàng đợi", [
            q(f"sum by (queue) (rabbitmq_queue_consumers{{{work}}})", "{{queue}}")]),
        panel("timeseries", "Độ trễ xử lý sự kiện (từ lúc phát sinh đến khi xử lý xong, p95)", [
            q("queue:dunghan_consumer_lag_seconds:p95_5m", "{{queue}}")], unit="s"),
        panel("timeseries", "Thư chết theo hàng đợi", [
            q(f"sum by (queue) (rabbitmq_queue_messages{{{dlq}}})", "{{queue}}"),
            q("sum by (queue) (increase(dunghan_messages_dead_lettered_total[5m]))", "{{queue}} mới chuyển")]),
        panel("timeseries", "Thông điệp xử lý mỗi giây theo kết quả (theo thời điểm xử lý)", [
            q("sum by (queue, outcome) (rate(dunghan_messages_consumed_total[5m]))", "{{queue}} · {{outcome}}")],
            unit="ops"),
        panel("timeseries", "Thời gian xử lý một thông điệp (p95)", [
            q("histogram_quantile(0.95, sum by (le, queue) (rate(dunghan_handler_duration_seconds_bucket[5m])))",
              "{{queue}}")], unit="s"),
        panel("timeseries", "Outbox: sự kiện chờ gửi", [q("service:dunghan_outbox_backlog:max", "{{service}}")]),
        panel("timeseries", "Outbox: tuổi sự kiện chờ lâu nhất", [
            q("service:dunghan_outbox_oldest_unpublished_age_seconds:max", "{{service}}")], unit="s"),
        panel("timeseries", "Thời gian phản hồi HTTP (p95) theo route", [
            q("histogram_quantile(0.95, sum by (le, service, route) "
              "(rate(dunghan_http_request_duration_seconds_bucket[5m])))", "{{service}} {{route}}")], unit="s"),
        panel("timeseries", "Lỗi HTTP 5xx mỗi giây", [
            q(zero_if_none(
                'sum by (service) (rate(dunghan_http_request_duration_seconds_count{status=~"5.."}[5m]))',
                "sum by (service) (rate(dunghan_http_request_duration_seconds_count[5m]))"), "{{service}}")],
            unit="reqps"),
        panel("timeseries", "CPU của web và worker (lõi)", [
            q("sum by (app) (rate(dunghan_web_process_cpu_seconds_total[5m]))", "{{app}} web"),
            q('sum by (app) (rate(process_cpu_seconds_total{job="dunghan-worker"}[5m]))', "{{app}} worker")],
            w=8),
        panel("timeseries", "Bộ nhớ của web và worker", [
            q("sum by (app) (dunghan_web_process_resident_memory_bytes)", "{{app}} web"),
            q('sum by (app) (process_resident_memory_bytes{job="dunghan-worker"})', "{{app}} worker")],
            unit="bytes", w=8),
        panel("timeseries", "Sự kiện đã phát lên broker mỗi giây", [
            q("sum by (exchange) (rate(dunghan_messages_published_total[5m]))", "{{exchange}}")], unit="ops", w=8),
        panel("timeseries", "Thông báo đã gửi trong 1 giờ theo kênh", [
            q(named(f'sum by (channel) (increase({notif}{{result="sent"}}[1h]))', "channel", NOTIFY_CHANNELS),
              "{{ten}}")], w=8),
        panel("timeseries", "Tỷ lệ lượt gửi thông báo thất bại (5 phút) theo kênh", [
            q(named(zero_if_none("channel:dunghan_notifications_failed:ratio_rate5m",
                                 f'sum by (channel) (rate({notif}{{result="sent"}}[5m]))'),
                    "channel", NOTIFY_CHANNELS), "{{ten}}")], unit="percentunit", w=8),
        panel("timeseries", "Thông báo đến lượt gửi và thời gian chờ lâu nhất", [
            q(named("max by (channel) (dunghan_notifications_due)", "channel", NOTIFY_CHANNELS), "{{ten}} đến lượt"),
            q(named("max by (channel) (dunghan_notification_oldest_due_age_seconds)", "channel", NOTIFY_CHANNELS),
              "{{ten}} chờ (giây)")],
            w=8, description="Tin nhắn SMS chờ qua giờ nghỉ (trưa, đêm) chưa đến lượt gửi: không tính."),
        panel("timeseries", "Sự kiện đầu vào bị từ chối theo lý do (1 giờ)", [
            q("sum by (reason) (increase(dunghan_inbound_rejected_total[1h]))", "{{reason}}")], w=12),
        panel("timeseries", "Lượt gửi thông báo theo kênh và kết quả", [
            q(named(f"sum by (channel, result) (rate({notif}[5m]))", "channel", NOTIFY_CHANNELS),
              "{{ten}} · {{result}}")], unit="ops", w=12),
    ]
    return dashboard("dunghan-health", "Sức khỏe hệ thống", panels, [], time_from="now-6h",
                     description="Cảnh báo, hàng đợi, thư chết, outbox, thành phần, tác vụ định kỳ, lỗi và độ trễ.")


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
