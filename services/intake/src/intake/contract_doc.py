"""The inbound side of the AsyncAPI document: each fact's JSON Schema, the replies and every rejection reason with
its fix. ``python -m intake.contract_doc`` prints docs/integration/asyncapi.yaml (``make asyncapi``)."""
from __future__ import annotations

import typing
from typing import Any

from dunghan.contract.asyncapi import Inbound, document, render
from intake.context import HTTP_STATUS
from intake.domain import RejectKind
from intake.facts import FACTS
from intake.inbound import CONTRACT_VERSION, json_schema

# reason → (what happened, how to fix it). Every RejectKind has an entry (a test checks it).
REJECTIONS: dict[str, tuple[str, str]] = {
    "invalid": ("Sai lược đồ hoặc dữ liệu không chặt chẽ: thiếu trường, sai kiểu (không ép kiểu: chuỗi \"2\" "
                "không phải số), sai mẫu (chữ số ASCII, khớp đến hết chuỗi), trường lạ, thời điểm không theo "
                "RFC 3339 hoặc ngoài 2000–2050, `occurred_at` ở tương lai, `fact` khác routing key, mã hồ sơ "
                "không thuộc cơ quan, đơn vị / cán bộ không có trong danh mục hoặc cán bộ không thuộc đơn vị."
                " `errors` liệt kê mọi trường sai. Qua HTTP, JSON quá sâu, số quá lớn hay NUL trong chuỗi là "
                "400.",
                "Sửa các trường nêu trong `errors` theo `schemas/<fact>.json` rồi gửi lại với cùng `event_id`."),
    "not_json": ("Thân thông điệp không phải JSON UTF-8.",
                 "Gửi đối tượng JSON mã hóa UTF-8, `content_type=application/json`."),
    "unknown_sender": ("Thuộc tính `user_id` thiếu hoặc không phải người dùng AMQP đã đăng ký (HTTP: thiếu / sai "
                       "khóa API).",
                       "Đặt `user_id` = tên người dùng AMQP đang kết nối; đề nghị quản trị đăng ký hệ thống "
                       "(`intake.manage create-key --amqp-user …`)."),
    "forged": ("Cơ quan trong thông điệp, routing key hoặc mã hồ sơ khác cơ quan của người gửi.",
               "Chỉ gửi hồ sơ của cơ quan mình; routing key `<agency>.<fact>` với đúng mã cơ quan."),
    "unknown_procedure": ("Mã thủ tục không có, không thuộc cơ quan, hoặc không có hiệu lực vào ngày "
                          "`occurred_at`.",
                          "Tra `GET /api/v1/procedures?on=<ngày>` của intake; dùng phiên bản có hiệu lực "
                          "ngày đó."),
    "lifecycle": ("Sự kiện không hợp vòng đời hồ sơ: tiếp nhận lần hai, sự kiện sau khi hồ sơ đã kết thúc, "
                  "`occurred_at` trước thời điểm tiếp nhận, rút sau khi có kết quả, hoặc sự kiện đang chờ "
                  "(`buffered`) mà hồ sơ không đến trạng thái phù hợp trong thời gian chờ.",
                  "Kiểm tra trạng thái hồ sơ (`GET /api/v1/dossiers/<code>`) và thứ tự sự kiện; không gửi lại "
                  "nguyên văn."),
    "unknown_dossier": ("Sự kiện chờ (`buffered`) cho hồ sơ chưa từng được tiếp nhận, hết thời gian chờ "
                        "(`INTAKE_ORPHAN_WINDOW_SECONDS`, mặc định 600 giây). Đến như phản hồi thứ hai.",
                        "Gửi `dossier.accepted` (hoặc `dossier.submitted`) trước, rồi gửi lại sự kiện với cùng "
                        "`event_id`."),
    "conflict": ("Trùng `event_id` với một sự kiện đã ghi nhận có nội dung khác.",
                 "Sự kiện mới cần `event_id` mới; gửi lại thì giữ nguyên nội dung."),
    "too_large": ("Thân thông điệp vượt `INTAKE_MAX_BODY_BYTES` (mặc định 256 KiB).",
                  "Rút gọn các trường văn bản (`note`, `reason`)."),
}

_BASE = {"event_id": {"type": ["string", "null"], "description": "`event_id` của thông điệp đã gửi."},
         "code": {"type": "string", "description": "Mã hồ sơ."}}
REPLIES: dict[str, dict[str, Any]] = {
    "accepted": {
        "type": "object", "required": ["status", "event_id", "code", "dossier_status"],
        "description": "Đã áp dụng (HTTP 201). Gửi trùng (cùng `event_id`, cùng nội dung) nhận lại y hệt.",
        "properties": {"status": {"type": "string", "const": "accepted"}, **_BASE,
                       "dossier_status": {"type": "integer", "minimum": 1, "maximum": 10,
                                          "description": "Mã trạng thái quốc gia của hồ sơ sau sự kiện."}},
    },
    "buffered": {
        "type": "object", "required": ["status", "event_id", "code", "reason"],
        "description": "Đang chờ (HTTP 202): hồ sơ chưa ở trạng thái phù hợp; áp dụng khi sự kiện còn thiếu đến "
                       "(không có phản hồi nữa), hoặc bị từ chối khi hết thời gian chờ (phản hồi thứ hai "
                       "`rejected`). Tra cứu: `GET /api/v1/facts/<event_id>` của intake.",
        "properties": {"status": {"type": "string", "const": "buffered"}, **_BASE,
                       "reason": {"type": "string", "description": "Vì sao phải chờ (tiếng Việt)."}},
    },
    "rejected": {
        "type": "object", "required": ["status", "event_id", "reason", "errors"],
        "description": "Bị từ chối, không ghi nhận; thông điệp được chép vào `intake.inbound.rejected`.",
        "properties": {
            "status": {"type": "string", "const": "rejected"}, "event_id": _BASE["event_id"],
            "reason": {"type": "string", "enum": list(REJECTIONS),
                       "description": "Mã lý do (bảng lỗi: `components.x-rejection-reasons`)."},
            "errors": {"type": "array", "description": "Mọi trường sai.", "items": {
                "type": "object", "required": ["field", "reason"],
                "properties": {"field": {"type": "string", "description": "Tên trường (`applicant.phone`…)."},
                               "reason": {"type": "string", "description": "Vì sao sai (tiếng Việt)."}}}},
        },
    },
}

DESCRIPTION = (
    "Hệ thống nghiệp vụ gửi sự kiện vòng đời hồ sơ vào exchange `dunghan.inbound` (routing key "
    "`<agency>.<fact>`) và nhận phản hồi ở `reply_to`; theo dõi sự kiện chuẩn (CloudEvents 1.0) bằng hàng đợi "
    "của mình bind vào `dunghan.events`. Hướng dẫn đầy đủ: docs/integration/README.md."
)


def rejection_catalogue() -> dict[str, str]:
    return {reason: f"{what} Cách sửa: {fix} (HTTP {HTTP_STATUS[reason]})"
            for reason, (what, fix) in REJECTIONS.items()}


def inbound() -> Inbound:
    assert set(REJECTIONS) == set(typing.get_args(RejectKind)), "every rejection reason needs an entry"
    return Inbound(version=CONTRACT_VERSION, facts={f: json_schema(f) for f in FACTS}, replies=REPLIES,
                   rejections=rejection_catalogue(), description=DESCRIPTION)


def asyncapi_yaml() -> str:
    return render(document(inbound()))


if __name__ == "__main__":
    print(asyncapi_yaml(), end="")
