import datetime as dt

from sources.extraction.dates import find_dateline, only_year, resolve_dates

PUB = dt.date(2023, 5, 24)  # a Wednesday


def first(sentence, published=PUB):
    found = resolve_dates(sentence, 0, published)
    return (found[0].iso(), found[0].precision) if found else None


def test_a_day_of_this_month_resolves_to_this_month():
    assert first("전날인 23일 도청에서 협약을 맺었다") == ("2023-05-23", "day")


def test_a_day_after_the_dateline_day_is_last_month():
    assert first("지난 28일 계약을 맺었다", dt.date(2021, 6, 2)) == ("2021-05-28", "day")


def test_a_weekday_is_the_latest_such_day_on_or_before_the_dateline():
    assert first("signed the agreement on Tuesday", dt.date(2022, 11, 16)) == ("2022-11-15", "day")
    assert first("unterzeichneten am Dienstag", dt.date(2024, 2, 14)) == ("2024-02-13", "day")


def test_month_and_day_without_year_take_the_dateline_year():
    assert first("The agreement was signed on 18 May in Kazan", dt.date(2023, 5, 30)) == ("2023-05-18", "day")
    assert first("held on Oct. 4 (local time)", dt.date(2022, 10, 6)) == ("2022-10-04", "day")
    assert first("11月8日，双方签署协议", dt.date(2023, 11, 9)) == ("2023-11-08", "day")


def test_last_week_keeps_only_month_precision():
    assert first("на прошлой неделе подписали соглашение", dt.date(2024, 6, 3)) == ("2024-05", "month")


def test_absolute_dates_need_no_dateline():
    assert first("2019년 10월 8일 체결", None) == ("2019-10-08", "day")
    assert first("on Nov 16, 2022", None) == ("2022-11-16", "day")


def test_relative_days_without_a_dateline_stay_unknown():
    assert first("현지시각 28일 협약을 체결했다", None) is None


def test_labelled_dateline_wins_over_the_page_clock():
    header = "2025.12.16 (화)\n기사 제목입니다\n입력 2021.06.02 10:41"
    assert find_dateline(header, "") == dt.date(2021, 6, 2)


def test_the_page_clock_beside_a_weekday_is_not_the_article_date():
    assert find_dateline("2025.12.16 (화)\n제목", "본문에는 날짜가 없다.") is None


def test_a_dateline_opening_the_body_is_used():
    assert find_dateline("", "SEOUL, Nov 16, 2022 - The company said ...") == dt.date(2022, 11, 16)


def test_yesterday_is_the_day_before_the_dateline():
    assert first("the company said in a regulatory filing yesterday", dt.date(2021, 3, 1)) == ("2021-02-28", "day")
    assert first("양사는 어제 계약을 맺었다", dt.date(2021, 3, 1)) == ("2021-02-28", "day")


def test_a_month_named_alone_keeps_month_precision():
    assert first("In February, Brightwell Bio signed a licence", dt.date(2024, 5, 2)) == ("2024-02", "month")
    assert first("In November, Brightwell Bio signed a licence", dt.date(2024, 5, 2)) == ("2023-11", "month")
    assert first("the partners may sign in may", dt.date(2024, 5, 2)) is None


def test_a_year_alone_in_korean_keeps_year_precision_unless_it_is_a_deadline():
    assert first("지난 2019년 투자협약을 체결했다", None) == ("2019", "year")
    assert first("2030년까지 공장을 짓는다", None) is None


def test_without_a_dateline_the_only_year_the_page_names_places_day_and_month():
    page = "A wave of licensing deals in early 2024. On March 17, Brightwell Bio signed with Norrland Pharma."
    year = only_year(page)
    assert year == 2024
    found = resolve_dates("On March 17, Brightwell Bio signed", 0, None, year)
    assert [(f.iso(), f.precision) for f in found] == [("2024-03-17", "day")]
    assert only_year("Deals of 2023 and 2024. On March 17 they signed.") is None
    assert only_year("매출 2000억원, 직원 1500명") is None
