"""Synthetic news articles about invented deals, for the worker benchmark (and nothing else).

Each article reports a different invented pair of companies, so workers do the full work of
creating companies, aliases, deals, amounts and evidence rather than attaching sources to the
same few deals. Names are random syllables; sentence shapes are generic news phrasing.
"""

import datetime as dt
import random

SYLLABLES_KO = "가나다라마바사아자차카타파하한성진우현민서준지영태경동해솔빛새온누리"
PARTS = ["nor", "vex", "tal", "ion", "ber", "lin", "kar", "sol", "ter", "ava", "mon", "rix", "zen", "dal", "qua"]
COUNTRIES_EN = [("German", "GmbH"), ("American", "Inc."), ("Japanese", "Co., Ltd."), ("Dutch", "B.V."),
                ("French", "S.A."), ("Swedish", "AB"), ("Israeli", "Ltd.")]  # fmt: skip
COUNTRIES_KO = ["독일", "미국", "일본", "네덜란드", "프랑스", "스웨덴", "이스라엘"]
SECTORS = ["battery", "semiconductor", "robotics", "biotech", "display", "hydrogen"]
CITIES_KO = ["화성시", "평택시", "청주시", "천안시", "구미시"]


def _latin(rng: random.Random) -> str:
    return "".join(rng.choice(PARTS) for _ in range(rng.randint(2, 3))).capitalize()


def _hangul(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES_KO) for _ in range(rng.randint(2, 3))) + rng.choice(["테크", "소재", "바이오"])


def article(i: int, seed: int = 7) -> bytes:
    rng = random.Random(seed * 1_000_003 + i)
    day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(900))
    if i % 2:
        demonym, legal = rng.choice(COUNTRIES_EN)
        foreign, korean = f"{_latin(rng)} {rng.choice(['Technologies', 'Materials', 'Systems'])}", _latin(rng)
        amount = rng.randint(2, 900)
        text = (
            f"{korean} signs ${amount} million deal with {demonym} {rng.choice(SECTORS)} firm\n"
            f"Seoul, {day:%B} {day.day}, {day.year}\n\n"
            f"{foreign} {legal}, a {demonym} {rng.choice(SECTORS)} company, and Korea's {korean} Co., Ltd. signed an "
            f"investment agreement worth ${amount} million on {day:%B} {day.day}, {day.year}, the companies said. "
            f"The partners will build a plant in Pyeongtaek and hire {rng.randint(50, 400)} people.\n\n"
            f"\"This is our first investment in Korea,\" the chief executive of {foreign} said. (Report no. {i})\n"
        )  # fmt: skip
    else:
        country = rng.choice(COUNTRIES_KO)
        korean, foreign = _hangul(rng), _hangul(rng)
        amount = rng.randint(10, 900)
        text = (
            f"㈜{korean}, {country} {foreign}사와 {amount}억원 투자 협약\n"
            f"입력 {day:%Y.%m.%d} 10:30\n\n"
            f"㈜{korean}는 {day.month}월 {day.day}일 {country}의 {rng.choice(SECTORS)} 기업인 {foreign}사와 "
            f"{amount}억원 규모의 투자 협약을 체결했다고 밝혔다. 두 회사는 {rng.choice(CITIES_KO)}에 생산 시설을 "
            f"세울 계획이다. (기사 번호 {i})\n"
        )  # fmt: skip
    return text.encode()
