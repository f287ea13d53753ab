"""Demo applicants, pure: plausible Vietnamese people, household businesses and companies (all fictitious)."""
from __future__ import annotations

import random
from typing import Any

SURNAMES = (
    ("Nguyễn", 30), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 4), ("Phan", 4), ("Vũ", 3),
    ("Võ", 4), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 1), ("Lý", 1),
    ("Trương", 1), ("Đinh", 1), ("Lâm", 1), ("Mai", 1), ("Tô", 1), ("Châu", 1),
)
MIDDLE_MALE = ("Văn", "Văn", "Minh", "Quốc", "Hữu", "Đức", "Thanh", "Công", "Ngọc", "Xuân", "Hoàng")
MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Ngọc", "Thanh", "Thu", "Kim", "Mỹ", "Bích", "Hồng", "Diễm")
GIVEN_MALE = (
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khang", "Khoa", "Lâm", "Long", "Lộc",
    "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trung",
    "Tuấn", "Việt", "Vinh",
)
GIVEN_FEMALE = (
    "Anh", "Châu", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Liên", "Linh", "Loan",
    "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo", "Thủy", "Trang", "Trâm", "Vân",
    "Vy", "Yến",
)
TRADE_WORDS = (
    "Biển Xanh", "Phú Mỹ", "Long Hải", "Sao Mai", "Hưng Thịnh", "Đại Phát", "Thuận Phát", "Minh Châu",
    "Tân Thành", "Hoàng Long", "Bình Minh", "Phương Nam", "Thành Công", "An Phú", "Vạn Lợi", "Hải Đăng",
    "Kim Long", "Tín Nghĩa",
    "Bà Rịa", "Côn Đảo", "Xuyên Mộc", "Đông Á", "Nam Việt", "Thái Bình Dương", "Ngọc Linh", "Hồng Phát",
)
COMPANY_FORMS = (
    ("Công ty TNHH", 5), ("Công ty TNHH MTV", 3), ("Công ty Cổ phần", 3), ("Doanh nghiệp tư nhân", 1),
    ("Hợp tác xã", 1),
)
TRADES = (
    "Thương mại", "Thương mại Dịch vụ", "Xăng dầu", "Thực phẩm", "Đồ uống", "Hóa chất", "Khí hóa lỏng",
    "Điện lực", "Xây lắp điện", "Đầu tư Phát triển", "Xuất nhập khẩu", "Chế biến Hải sản", "Năng lượng",
)
STREETS = (
    "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Văn Linh", "Ba Cu", "Lê Hồng Phong", "Hoàng Hoa Thám", "Nguyễn An Ninh",
    "Bình Giã", "Cách Mạng Tháng Tám", "Hùng Vương", "Nguyễn Hữu Cảnh", "Độc Lập", "Quốc lộ 51", "Lê Duẩn",
)
PLACES = (
    ("Phường 1", "TP. Vũng Tàu"), ("Phường 7", "TP. Vũng Tàu"), ("Phường Thắng Tam", "TP. Vũng Tàu"),
    ("Phường Rạch Dừa", "TP. Vũng Tàu"), ("Phường Phước Hiệp", "TP. Bà Rịa"), ("Phường Long Toàn", "TP. Bà Rịa"),
    ("Phường Phú Mỹ", "thị xã Phú Mỹ"), ("Xã Tân Hòa", "thị xã Phú Mỹ"), ("Thị trấn Long Điền", "huyện Long Điền"),
    ("Thị trấn Đất Đỏ", "huyện Đất Đỏ"), ("Thị trấn Ngãi Giao", "huyện Châu Đức"),
    ("Thị trấn Phước Bửu", "huyện Xuyên Mộc"),
)
PHONE_PREFIXES = ("090", "091", "093", "094", "097", "098", "096", "088", "086", "070", "079", "077", "083")
KINDS = (("company", 55), ("household", 27), ("person", 18))


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([w for w, _ in weighted], [n for _, n in weighted])[0]


def person_name(rng: random.Random) -> str:
    surname = _pick(rng, SURNAMES)
    if rng.random() < 0.5:
        return f"{surname} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"
    return f"{surname} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"


def address(rng: random.Random) -> str:
    ward, district = rng.choice(PLACES)
    return f"{rng.randint(1, 420)} {rng.choice(STREETS)}, {ward}, {district}, tỉnh Bà Rịa-Vũng Tàu"


def phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**7):07d}"


def id_number(rng: random.Random) -> str:
    if rng.random() < 0.7:  # 2017: most people still carry the 9-digit CMND
        return f"27{rng.randrange(10**7):07d}"
    return f"077{rng.choice('0123')}{rng.randint(50, 99)}{rng.randrange(10**6):06d}"


def applicant(rng: random.Random) -> dict[str, Any]:
    """An ``applicant`` object of intake's inbound contract; contact details are made up."""
    kind = _pick(rng, KINDS)
    if kind == "company":
        name = f"{_pick(rng, COMPANY_FORMS)} {rng.choice(TRADES)} {rng.choice(TRADE_WORDS)}"
    elif kind == "household":
        name = f"Hộ kinh doanh {person_name(rng)}"
    else:
        name = person_name(rng)
    out: dict[str, Any] = {"name": name}
    if kind != "company" or rng.random() < 0.4:
        out["id_number"] = id_number(rng)
    if rng.random() < 0.9:
        out["phone"] = phone(rng)
    if rng.random() < 0.35:
        out["email"] = f"lienhe{rng.randrange(10**5):05d}@example.vn"
    out["address"] = address(rng)
    return out
