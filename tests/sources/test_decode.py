import pytest

from sources.extraction import ExtractionError, extract
from sources.extraction.decode import decode

KO = "경기도 중소기업과 러시아 기업이 투자 협약을 체결했다. 똠방각하 뷁"
SAMPLES = [
    ("utf-8", KO),
    ("cp949", KO),  # the euc-kr superset: 똠 and 뷁 are CP949-only syllables
    ("shift_jis", "株式会社ミナセ化研は韓国の忠清北道と投資覚書を締結したと発表した。工場を建設する。"),
    ("gb18030", "韩国光学膜材料企业与苏州公司签署合资协议，双方将共同设立合资公司。"),
    ("windows-1251", "Корейская компания и новосибирское предприятие подписали соглашение о создании СП."),
]


@pytest.mark.parametrize(("encoding", "text"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_plain_text_in_each_encoding_decodes_back(encoding, text):
    raw = (text * 3).encode(encoding)
    decoded, _ = decode(raw)
    assert decoded == text * 3


@pytest.mark.parametrize("label", ["euc-kr", "EUC-KR", "ks_c_5601-1987"])
def test_declared_euc_kr_is_read_as_cp949(label):
    html = f'<html><head><meta charset="{label}"></head><body><p>{KO}</p></body></html>'.encode("cp949")
    decoded, enc = decode(html)
    assert "똠방각하" in decoded and enc == "cp949"


def test_http_header_charset_is_honoured():
    raw = KO.encode("cp949")
    decoded, _ = decode(raw, "text/html; charset=euc-kr")
    assert decoded == KO


def test_detection_is_not_misled_by_a_long_inline_script():
    body = "<p>" + KO * 20 + "</p>"
    html = ("<html><head><script>" + "var x = 1;" * 1500 + "</script></head><body>" + body + "</body></html>").encode(
        "cp949"
    )
    decoded, _ = decode(html)
    assert "똠방각하" in decoded


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"   \n ", "empty"),
        (bytes(range(256)) * 20, "binary"),
        (b"\x00\x01\x02garbage" * 100, "binary"),
    ],
)
def test_unusable_input_is_a_clear_error(raw, message):
    with pytest.raises(ExtractionError, match=message):
        extract(raw)


def test_input_over_the_limit_is_refused():
    with pytest.raises(ExtractionError, match="too large"):
        extract(b"a" * 2000, max_bytes=1000)
