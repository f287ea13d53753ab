"""The campaign's scoring and reward rules in Vietnamese, from its configuration (API, phase e-mail)."""
from __future__ import annotations

from scoring.domain import MULTIPLES, Campaign, Criterion, Phase, label_of


def _criteria(criteria: tuple[Criterion, ...]) -> str:
    return "; ".join(f"{label_of(c)} × {c.weight:g}".replace(".", ",") for c in criteria if c.weight)


def rules_text(c: Campaign, review: Phase | None = None) -> list[str]:
    """One line per rule, in the order a reader needs them."""
    cfg, r, g = c.config, c.config.rewards, c.config.gates
    lead = cfg.leadership
    lines = [
        "Kết quả mỗi đợt tính trên các hồ sơ kết thúc tính giờ trong đợt (ngày có kết quả, trả lại hoặc dừng).",
        "Mỗi hồ sơ tính cho đơn vị và cán bộ đang giữ hồ sơ khi kết thúc; mỗi bước xử lý tính cho người đã thực "
        "hiện bước đó theo dữ liệu chuyển bước.",
        f"Các bước bắt đầu bằng “{'”, “'.join(lead.steps)}” (ký duyệt) tính cho {lead.name}, không tính cho "
        f"cán bộ văn phòng cập nhật kết quả ký; {lead.name} không tham gia xét khen thưởng.",
        "Cán bộ được so sánh trong nhóm vai trò tương đương (nhóm có nhiều bước nhất mà cán bộ đã thực hiện):",
    ]
    for role in cfg.roles:
        volume = "hồ sơ đã giải quyết" if role.volume == "handled" else "bước xử lý của nhóm"
        lines.append(f"– {role.label}: các bước “{'”, “'.join(role.steps)}”; tối thiểu {role.min_volume} "
                     f"{volume}; điểm = {_criteria(role.criteria)}"
                     + ("" if role.max_late_step_share is None
                        else f"; bước xử lý trễ không quá {role.max_late_step_share:g}%")
                     + ("" if role.proposable else "; không xét khen thưởng") + ".")
    lines += [
        f"Đơn vị: điểm = {_criteria(cfg.criteria)}; tối thiểu {g.min_handled} hồ sơ; tỷ lệ hồ sơ quá hạn và tỷ lệ "
        f"bước xử lý trễ của chính đơn vị không quá {r.unit_max_late_share:g}%.",
        f"Điều kiện chung: không quá {g.max_late} hồ sơ quá hạn, không quá {g.max_complaints} khiếu nại có cơ sở"
        + (", không bị kỷ luật" if g.no_discipline else "") + ". Hạng bằng điểm thì đồng hạng (1, 2, 2, 4).",
        f"Sơ kết mỗi đợt chỉ đề nghị Giấy khen: {r.officer_top_n} cán bộ đứng đầu mỗi nhóm vai trò và "
        f"{r.unit_top_n} đơn vị đứng đầu đủ điều kiện (kể cả người đồng hạng).",
        "Tổng kết chiến dịch (cuối năm) mới xét danh hiệu: Lao động tiên tiến (đủ điều kiện, tỷ lệ trước hạn và "
        f"đúng hạn từ {r.ldtt_min_on_time_share:g}%), Chiến sĩ thi đua cơ sở (những người dẫn đầu trong số Lao "
        f"động tiên tiến, không quá {r.cstdcs_max_share_of_ldtt:g}% số này), Tập thể lao động tiên tiến (từ "
        f"{r.collective_min_ldtt_share:g}% thành viên đạt Lao động tiên tiến, không ai bị kỷ luật).",
        "Mỗi thành tích chỉ khen một lần: trong một lần xét, mỗi cá nhân, tập thể nhận một hình thức, hình thức "
        "cao nhất đạt được.",
        "Tiền thưởng = hệ số × mức lương cơ sở tại ngày ký quyết định: " + "; ".join(
            f"{t} {str(m).replace('.', ',')}" for t, m in MULTIPLES.items()) + ".",
        "Quy trình: hệ thống lập dự thảo → Công đoàn tổng hợp (thêm, bớt có nêu lý do) → Lãnh đạo quyết định "
        "(số và ngày quyết định); mọi thay đổi được ghi lại người thực hiện và thời điểm.",
        "Kết quả đợt đã sơ kết được giữ nguyên; phân loại đến sau được ghi bên cạnh (đính chính) và đánh dấu trên "
        "bảng xếp hạng và đề nghị liên quan.",
    ]
    if review is not None and review.final:
        lines.insert(0, f"Tổng kết chiến dịch: toàn bộ thời gian từ {review.starts_on:%d/%m/%Y} đến "
                        f"{review.ends_on:%d/%m/%Y}.")
    return lines
