"""What every canonical event and field means, for integrators (the AsyncAPI document is generated from this).

``FIELDS`` describes a field by name, ``Class.field`` overriding it for one class; ``VALUES`` lists the values a
string or number field takes and what each means (a ``Literal`` type checks them, others are documented). A test
fails when a field of an event has no description, so a new field comes with its meaning.
"""
from __future__ import annotations

EVENTS: dict[str, str] = {
    "DossierSubmitted": "Hồ sơ mới đăng ký (trạng thái 1, thường là nộp trực tuyến); chưa tính thời hạn.",
    "DossierAccepted": "Hồ sơ được tiếp nhận (trạng thái 2): bắt đầu tính thời hạn theo phiên bản thủ tục "
                       "kèm theo.",
    "DossierRefused": "Hồ sơ không được tiếp nhận (trạng thái 3, mẫu 03) — chỉ trước khi tiếp nhận; không tính "
                      "thời hạn, không có sự kiện phân loại.",
    "DossierTransferred": "Hồ sơ được chuyển sang đơn vị / cán bộ / bước xử lý khác (trạng thái 4).",
    "SupplementRequested": "Yêu cầu bổ sung hồ sơ (trạng thái 5, mẫu 02): tạm dừng tính thời hạn. Lần thứ "
                           "hai là vi "
                           "phạm (`second_supplement_request`).",
    "SupplementReceived": "Đã nhận hồ sơ bổ sung (trạng thái 4): tính thời hạn tiếp, hạn lùi bằng số giờ làm việc "
                          "đã tạm dừng.",
    "FeeRequested": "Yêu cầu thực hiện nghĩa vụ tài chính (trạng thái 6); chỉ tạm dừng tính thời hạn nếu thủ tục "
                    "quy định (`pause_on_fee`).",
    "FeePaid": "Đã thực hiện nghĩa vụ tài chính (trạng thái 4).",
    "ApologyIssued": "Văn bản xin lỗi và hẹn lại ngày trả (mẫu 04). Chỉ lần đầu đổi ngày hẹn; phân loại vẫn theo "
                     "hạn ban đầu.",
    "ResultReady": "Đã có kết quả (trạng thái 9): dừng tính thời hạn. `decision: refused` là từ chối sau "
                   "thẩm định "
                   "(kết quả là văn bản từ chối), phân loại theo ngày như mọi kết quả.",
    "ResultReturned": "Đã trả kết quả cho công dân (trạng thái 10); dừng tính thời hạn nếu chưa có "
                      "`result_ready`.",
    "DossierWithdrawn": "Công dân xin rút hồ sơ (trạng thái 7, chỉ trước khi có kết quả): dừng tính thời hạn, "
                        "tính là đúng hạn.",
    "DossierStopped": "Dừng xử lý hồ sơ (trạng thái 8): dừng tính thời hạn, phân loại theo ngày dừng.",
    "UnitUpdated": "Danh bạ: một đơn vị được thêm hoặc sửa.",
    "OfficerUpdated": "Danh bạ: một cán bộ được thêm hoặc sửa (kèm liên hệ công vụ để gửi cảnh báo).",
    "ProcedureUpdated": "Danh mục: một phiên bản thủ tục được lưu hoặc công bố lại; hạn dự kiến "
                        "(`GET /api/v1/due-date` của deadline) tính từ đây.",
    "DueDateSet": "Hạn giải quyết được đặt hoặc đổi (tiếp nhận, sau bổ sung, nghĩa vụ tài chính, văn bản xin lỗi, "
                  "tính lại theo lịch mới).",
    "AppointmentMismatch": "Ngày hẹn trên giấy tiếp nhận (`appointment_at` của `dossier.accepted`) khác hạn tính "
                           "theo quy định: văn phòng kiểm tra giấy hẹn đã phát cho công dân.",
    "DeadlineApproaching": "Sắp đến hạn: 1 ngày làm việc trước hạn (`d-1`) và sáng ngày đến hạn (`due_day`).",
    "DeadlineBreached": "Quá hạn: tại thời điểm hạn (`days_overdue` 0), rồi mỗi ngày làm việc tiếp theo.",
    "StepOverdue": "Một bước xử lý nội bộ quá định mức giờ của bước (quy trình nội bộ của thủ tục).",
    "DossierClassified": "Hồ sơ kết thúc tính thời hạn: sớm / đúng / trễ hạn, một lần cho mỗi hồ sơ.",
    "PhaseClosed": "Một đợt thi đua được sơ kết (hoặc cả chiến dịch được tổng kết, `phase` = `tong-ket`): bảng "
                   "xếp hạng và dự thảo đề nghị khen thưởng được chốt.",
}

FIELDS: dict[str, str] = {
    "code": "Mã hồ sơ `<mã cơ quan>-<yymmdd>-<4 chữ số>` (subject của sự kiện).",
    "agency": "Mã cơ quan (ví dụ `SCT`); lọc sự kiện của cơ quan mình theo trường này.",
    "occurred_at": "Thời điểm sự việc xảy ra, như hệ thống nghiệp vụ đã gửi (ISO 8601 có múi giờ).",
    "unit": "Mã đơn vị đang giữ hồ sơ (danh mục `GET /api/v1/units` của intake).",
    "officer": "Mã cán bộ đang giữ hồ sơ (danh mục `GET /api/v1/officers` của intake).",
    "procedure": "Phiên bản thủ tục có hiệu lực khi tiếp nhận: thời hạn được tính từ đây.",
    "procedure_code": "Mã thủ tục trong danh mục.",
    "procedure_name": "Tên thủ tục.",
    "procedure_field": "Lĩnh vực của thủ tục.",
    "channel": "Kênh nộp / trả.",
    "applicant_name": "Tên người nộp hoặc tổ chức (không bao giờ kèm số giấy tờ, điện thoại, thư điện tử).",
    "step": "Tên bước xử lý nội bộ (theo quy trình của thủ tục), nếu có.",
    "reason": "Lý do, văn bản tự do.",
    "amount_vnd": "Số tiền (đồng).",
    "new_due_date": "Ngày hẹn mới trên văn bản xin lỗi (mẫu 04); hạn mới là 17:00 ngày đó.",
    "decision": "Nội dung kết quả.",
    "appointment_at": "Ngày hẹn trả trên giấy tiếp nhận (mẫu 01), như hệ thống một cửa đã gửi.",
    "name": "Tên.",
    "head_officer": "Mã cán bộ trưởng đơn vị (nhận bản tin hằng ngày).",
    "union_contact": "Mã cán bộ đầu mối công đoàn của đơn vị.",
    "full_name": "Họ tên cán bộ.",
    "email": "Thư điện tử công vụ của cán bộ (để gửi cảnh báo).",
    "phone": "Số điện thoại công vụ của cán bộ (để gửi SMS).",
    "active": "Cán bộ còn công tác.",
    "channels": "Kênh nhận cảnh báo của cán bộ.",
    "effective_from": "Ngày phiên bản bắt đầu có hiệu lực (tính theo ngày tiếp nhận).",
    "effective_to": "Ngày phiên bản hết hiệu lực (không tính ngày này); null: đang có hiệu lực.",
    "abolished": "Phiên bản này bãi bỏ thủ tục: không tiếp nhận hồ sơ mới từ `effective_from`.",
    "due_at": "Hạn giải quyết: thời điểm (giờ Việt Nam, có múi giờ) phải có kết quả.",
    "original_due_at": "Hạn ban đầu (trước văn bản xin lỗi, đã cộng thời gian tạm dừng): phân loại theo hạn này.",
    "previous_due_at": "Hạn trước lần đổi này; null ở lần đặt đầu tiên.",
    "calendar_version": "Phiên bản lịch làm việc (ngày nghỉ, ngày làm bù) đã dùng để tính.",
    "threshold": "Ngưỡng cảnh báo.",
    "days_overdue": "Số ngày làm việc đã quá hạn: 0 tại thời điểm hạn, 1 sau một ngày làm việc…",
    "step_due_at": "Hạn của bước xử lý (định mức giờ của bước, tính theo giờ làm việc).",
    "accepted_at": "Thời điểm tiếp nhận.",
    "stopped_at": "Thời điểm kết thúc tính thời hạn (có kết quả, trả kết quả, rút, dừng).",
    "stop_reason": "Sự kiện đã kết thúc tính thời hạn.",
    "outcome": "Phân loại, so sánh theo NGÀY (ngày kết thúc với ngày của hạn ban đầu).",
    "working_days_diff": "Chênh lệch có dấu, tính bằng ngày làm việc giữa ngày kết thúc và ngày hạn ban đầu: âm = "
                         "sớm hạn (−2: sớm 2 ngày), 0 = đúng ngày hạn, dương = trễ hạn. Hồ sơ rút / trả "
                         "lại: không "
                         "dương. Yêu cầu bổ sung lần hai: ít nhất +1.",
    "resolution_working_hours": "Thời gian giải quyết thực tế, giờ làm việc (8 giờ = 1 ngày) từ tiếp nhận đến kết "
                                "thúc, trừ thời gian tạm dừng.",
    "apologies": "Số văn bản xin lỗi (mẫu 04).",
    "supplement_requests": "Số lần yêu cầu bổ sung hồ sơ.",
    "violations": "Vi phạm quy định về thời hạn.",
    "steps": "Các bước xử lý nội bộ.",
    "working_hours_diff": "Chênh lệch có dấu, giờ làm việc, từ hạn tính theo quy định đến ngày hẹn trên giấy tiếp "
                          "nhận: dương = hẹn muộn hơn quy định, âm = hẹn sớm hơn; null khi ngày hẹn nằm ngoài "
                          "phạm vi lịch làm việc (ví dụ gõ nhầm năm).",
    "campaign": "Mã phong trào thi đua.",
    "phase": "Mã đợt.",
    "phase_name": "Tên đợt.",
    "review_date": "Ngày sơ kết (mốc chốt số liệu).",
    "standings": "Bảng xếp hạng đã chốt.",
    "proposals": "Đề xuất khen thưởng của hệ thống.",
    # nested objects
    "ProcedureSnapshot.code": "Mã thủ tục.",
    "ProcedureSnapshot.version": "Số phiên bản thủ tục (tăng dần khi sửa đổi).",
    "ProcedureSnapshot.name": "Tên thủ tục.",
    "ProcedureSnapshot.field": "Lĩnh vực.",
    "ProcedureSnapshot.committed_value": "Thời hạn cam kết (đã cắt giảm) — thời hạn dùng để tính hạn.",
    "ProcedureSnapshot.committed_unit": "Đơn vị của thời hạn cam kết.",
    "ProcedureSnapshot.statutory_value": "Thời hạn theo quy định pháp luật (chỉ để đối chiếu).",
    "ProcedureSnapshot.statutory_unit": "Đơn vị của thời hạn theo quy định.",
    "ProcedureSnapshot.cutoff": "Giờ chốt tiếp nhận `HH:MM`: tiếp nhận sau giờ này (hoặc ngày nghỉ) thì ngày tiếp "
                                "nhận tính là ngày làm việc kế tiếp.",
    "ProcedureSnapshot.pause_on_fee": "Thời gian chờ nghĩa vụ tài chính có được trừ (tạm dừng) hay không.",
    "ProcedureSnapshot.steps": "Định mức giờ làm việc của các bước nội bộ.",
    "ProcedureUpdated.channels": "Kênh tiếp nhận thủ tục này.",
    "DossierAccepted.history": "true: hồ sơ nạp từ dữ liệu cũ (lịch sử): được tính vào mọi số liệu nhưng "
                               "không sinh cảnh báo, tin nhắn hay bản tin nào cho cán bộ.",
    "DueDateSet.history": "true: hồ sơ lịch sử (nạp với history: true, hoặc Đúng hạn biết hạn lần đầu khi hạn "
                          "đã qua quá lâu): hạn vẫn được tính, không ai bị cảnh báo.",
    "PhaseClosed.rules": "Quy tắc chấm điểm, xếp hạng và khen thưởng đã áp dụng, bằng tiếng Việt, mỗi dòng một "
                         "quy tắc.",
    "PhaseClosed.corrections": "Các phân loại ghi nhận sau khi các đợt trước đã chốt (đính chính, không đổi số "
                               "liệu đã chốt).",
    "StepBudget.name": "Tên bước.",
    "StepBudget.hours": "Định mức, giờ làm việc (8 giờ = 1 ngày).",
    "StepResult.step": "Tên bước.",
    "StepResult.unit": "Đơn vị thực hiện bước.",
    "StepResult.officer": "Cán bộ thực hiện bước (bước trễ tính cho người này).",
    "StepResult.started_at": "Bắt đầu bước.",
    "StepResult.due_at": "Hạn của bước.",
    "StepResult.ended_at": "Kết thúc bước.",
    "StepResult.outcome": "Phân loại bước (trễ nếu kết thúc sau hạn của bước).",
    "StandingEntry.rank": "Thứ hạng.",
    "StandingEntry.kind": "Xếp hạng đơn vị hay cán bộ.",
    "StandingEntry.subject": "Mã đơn vị / cán bộ.",
    "StandingEntry.name": "Tên.",
    "StandingEntry.score": "Điểm.",
    "StandingEntry.handled": "Số hồ sơ đã giải quyết trong đợt.",
    "StandingEntry.late": "Số hồ sơ trễ hạn.",
    "StandingEntry.eligible": "Đủ điều kiện đề xuất khen thưởng.",
    "StandingEntry.role": "Nhóm vai trò tương đương của cán bộ (hạng tính trong nhóm); trống với đơn vị.",
    "RewardProposal.kind": "Đơn vị hay cán bộ.",
    "RewardProposal.subject": "Mã đơn vị / cán bộ.",
    "RewardProposal.name": "Tên.",
    "RewardProposal.title": "Hình thức khen thưởng.",
    "RewardProposal.amount_vnd": "Tiền thưởng (đồng).",
    "RewardProposal.criteria": "Tiêu chí đã đạt.",
    "OfficerUpdated.unit": "Mã đơn vị của cán bộ.",
    "UnitUpdated.unit": "Mã đơn vị.",
    "UnitUpdated.name": "Tên đơn vị.",
    "OfficerUpdated.officer": "Mã cán bộ.",
    "DossierClassified.unit": "Đơn vị giữ hồ sơ khi kết thúc (được tính kết quả).",
    "DossierClassified.officer": "Cán bộ giữ hồ sơ khi kết thúc (được tính kết quả).",
    "DossierClassified.due_at": "Hạn cuối cùng (sau văn bản xin lỗi, nếu có).",
    "AppointmentMismatch.due_at": "Hạn tính theo quy định cho thời điểm tiếp nhận (như `GET /api/v1/due-date`).",
    "DeadlineBreached.due_at": "Hạn đã quá.",
}

VALUES: dict[str, dict[object, str]] = {
    "channel": {1: "trực tiếp", 2: "trực tuyến", 3: "bưu chính công ích"},
    "decision": {"approved": "chấp thuận (cấp / giải quyết)",
                 "refused": "từ chối sau thẩm định (kết quả là văn bản từ chối)"},
    "outcome": {"early": "sớm hạn: ngày kết thúc trước ngày hạn ban đầu",
                "on_time": "đúng hạn: cùng ngày hạn ban đầu; hồ sơ rút / trả lại luôn đúng hạn",
                "late": "trễ hạn: sau ngày hạn ban đầu, hoặc có yêu cầu bổ sung lần hai"},
    "DueDateSet.reason": {"accepted": "tiếp nhận: hạn đầu tiên",
                          "supplement": "yêu cầu / nhận bổ sung: hạn lùi bằng thời gian tạm dừng",
                          "fee": "chờ / đã thực hiện nghĩa vụ tài chính (thủ tục có tạm dừng)",
                          "apology": "văn bản xin lỗi (mẫu 04): ngày hẹn mới",
                          "recomputed": "tính lại theo lịch làm việc mới (thông báo nghỉ / làm bù)",
                          "corrected": "sự kiện đến muộn làm thay đổi hạn"},
    "stop_reason": {"result_ready": "đã có kết quả (`result.ready`)",
                    "result_returned": "đã trả kết quả (`result.returned`) khi chưa có `result.ready`",
                    "withdrawn": "công dân xin rút (`dossier.withdrawn`): tính là đúng hạn",
                    "stopped": "dừng xử lý (`dossier.stopped`): phân loại theo ngày dừng",
                    "refused": "không được tiếp nhận (`dossier.refused`): tính là đúng hạn"},
    "violations": {"second_supplement_request": "yêu cầu bổ sung lần thứ hai (chỉ được một lần): hồ sơ tính là "
                                                "trễ hạn dù có kết quả trước hạn",
                   "late_apology": "văn bản xin lỗi ban hành muộn (ít hơn 1 ngày làm việc trước hạn)",
                   "second_apology": "văn bản xin lỗi lần thứ hai: ngày hẹn mới không được áp dụng"},
    "threshold": {"d-1": "còn 1 ngày làm việc đến hạn (hạn chót ban hành văn bản xin lỗi)",
                  "due_day": "sáng ngày đến hạn (giờ mở cửa)"},
    "committed_unit": {"working_days": "ngày làm việc (8 giờ)", "working_hours": "giờ làm việc",
                       "calendar_days": "ngày lịch; hạn rơi vào ngày nghỉ chuyển sang ngày làm việc kế tiếp"},
    "kind": {"unit": "đơn vị", "officer": "cán bộ"},
    "channels": {"email": "thư điện tử", "sms": "tin nhắn"},
}
VALUES["statutory_unit"] = VALUES["committed_unit"]
VALUES["ProcedureUpdated.channels"] = VALUES["channel"]
VALUES["StepResult.outcome"] = {"early": "bước xong trước ngày hạn của bước", "on_time": "đúng ngày hạn của bước",
                                "late": "bước xong sau hạn của bước"}


def lookup(table: dict[str, object], cls: str, name: str) -> object | None:
    """The entry for ``cls.name``, else for ``name``."""
    return table.get(f"{cls}.{name}", table.get(name))
