"""The review desk: decisions, merges, the human-set rule, the draft page and the staff roles."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.groups import REVIEWERS, VIEWERS
from deals.models import (
    Amount,
    Company,
    CompanyAlias,
    Deal,
    DealParty,
    DealSource,
    Evidence,
    GovernmentBody,
    GovernmentInvolvement,
    JointVenture,
    ReviewStatus,
)
from deals.services import (
    body_match_or_create,
    body_merge,
    company_match_or_create,
    company_merge,
    deal_approve,
    deal_merge,
    deal_reject,
    draft_upsert,
)
from tests.factories import TEXT, article, result

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft() -> Deal:
    [deal] = draft_upsert(article=article(), result=result())
    return deal


def staff(username: str, group: str) -> User:
    user = User.objects.create_user(username, password="pw-" + username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reviewer() -> User:
    return staff("rita", REVIEWERS)


@pytest.fixture
def viewer() -> User:
    return staff("victor", VIEWERS)


# ---- services ----------------------------------------------------------------------------------


def test_approving_a_draft_records_who_and_when(draft, reviewer):
    deal_approve(deal=draft, user=reviewer)
    draft.refresh_from_db()
    assert draft.review_status == ReviewStatus.APPROVED
    assert draft.reviewed_by == reviewer and draft.reviewed_at is not None


def test_rejecting_needs_a_reason(draft, reviewer):
    with pytest.raises(ValueError):
        deal_reject(deal=draft, user=reviewer, reason="   ")
    deal_reject(deal=draft, user=reviewer, reason="Not a foreign investment")
    draft.refresh_from_db()
    assert draft.review_status == ReviewStatus.REJECTED and draft.rejection_reason == "Not a foreign investment"


def test_merging_two_deals_moves_sources_evidence_and_missing_parties(draft, reviewer):
    other_text = TEXT.replace("Invented Robotics Ltd", "Invented Robotics Ltd and Beta Optics Inc")
    other_result = result()
    other_result["deals"][0]["parties"].append({"name": "Beta Optics Inc", "country": "US", "role": "investor"})
    other_result["deals"][0]["date"] = "2025-09-30"  # too far apart to be attached automatically
    other_result["deals"][0]["evidence"] = [{"field": "parties", "start": 0, "end": 9, "text": other_text[:9]}]
    [other] = draft_upsert(article=article(other_text, n=2), result=other_result)
    assert other.pk != draft.pk

    deal_merge(survivor=draft, other=other, user=reviewer)
    other.refresh_from_db()
    draft.refresh_from_db()
    assert other.review_status == ReviewStatus.DUPLICATE and other.duplicate_of == draft
    assert draft.source_count == 2
    assert Evidence.objects.filter(deal=draft, article__text=other_text).count() == 1
    assert DealParty.objects.filter(deal=draft, company__name="Beta Optics Inc").exists()
    with pytest.raises(ValueError):
        deal_merge(survivor=draft, other=draft, user=reviewer)


def test_merging_companies_moves_every_relation_and_keeps_the_names_as_aliases(draft):
    korean = Company.objects.get(name="가나다전자")
    latin = company_match_or_create(name="Ganada Electronics Co., Ltd.", aliases=["GND"], country="KR")
    other_deal = Deal.objects.create(title="Another")
    DealParty.objects.create(deal=other_deal, company=latin, role="investor")
    DealParty.objects.create(deal=draft, company=latin, role="jv_parent")  # same role in the same deal: folded
    jv = JointVenture.objects.create(deal=other_deal, company=latin)
    jv.parents.add(latin)

    company_merge(survivor=korean, others=[latin])

    assert not Company.objects.filter(pk=latin.pk).exists()
    assert DealParty.objects.filter(deal=other_deal, company=korean).exists()
    assert DealParty.objects.filter(deal=draft, company=korean).count() == 1
    jv.refresh_from_db()
    assert jv.company == korean and list(jv.parents.all()) == [korean]
    names = set(CompanyAlias.objects.filter(company=korean).values_list("name", flat=True))
    assert {"가나다전자", "Ganada Electronics Co., Ltd.", "GND"} <= names
    # A later article naming the Latin form now finds the survivor.
    assert company_match_or_create(name="GND", aliases=[], country=None) == korean


def test_merging_government_bodies_moves_involvements(draft):
    a = body_match_or_create(name="Invented Province", aliases=[], country="KR")
    b = body_match_or_create(name="인벤티드도", aliases=[], country="KR")
    GovernmentInvolvement.objects.create(deal=draft, body=b, role="broker")
    body_merge(survivor=a, others=[b])
    assert not GovernmentBody.objects.filter(pk=b.pk).exists()
    assert GovernmentInvolvement.objects.get(deal=draft).body == a
    assert body_match_or_create(name="인벤티드도", aliases=[], country=None) == a


def test_a_reextraction_never_overwrites_fields_a_reviewer_edited_in_the_admin(client, draft, reviewer):
    client.force_login(reviewer)
    url = f"/admin/deals/deal/{draft.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        title="Corrected title", kinds=["joint_venture"], lifecycle=draft.lifecycle, date_precision="day",
        signed_on="2025-03-03", confidence="0.70", language="en", place="Berlin", sectors=[], summary="",
        destination_country="KR", duplicate_of="",
    )  # fmt: skip
    data.update(inline_management(page, draft))
    amount = draft.amounts.get()
    prefix = "amounts"
    data[f"{prefix}-0-value"] = "60000000"  # the reviewer corrects the amount
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    draft.refresh_from_db()
    assert {"title", "amounts"} <= set(draft.human_set_fields)
    amount.refresh_from_db()
    assert amount.value == Decimal("60000000") and amount.usd_value is not None

    draft_upsert(article=draft.sources.get().article, result=result(value="1", title="Worker title"))
    draft.refresh_from_db()
    assert draft.title == "Corrected title"
    assert list(draft.amounts.values_list("value", flat=True)) == [Decimal("60000000.00")]


def _change_form_data(client, deal) -> tuple[str, dict]:
    """The draft page's form as the browser would submit it untouched."""
    url = f"/admin/deals/deal/{deal.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(kinds=[k.code for k in deal.kinds.all()], sectors=[s.pk for s in deal.sectors.all()],
                signed_on=str(deal.signed_on or ""), duplicate_of="", summary=deal.summary or "",
                place=deal.place or "", destination_country=deal.destination_country or "")  # fmt: skip
    data.update(inline_management(page, deal))
    return url, data


def test_approve_saves_the_unsaved_edits_in_the_same_step(client, draft, reviewer):
    """Issue 13, point 1: set the destination, tick Delete on a wrong party, click Approve."""
    client.force_login(reviewer)
    url, data = _change_form_data(client, draft)
    data["destination_country"] = "DE"
    wrong = draft.parties.get(company__name="가나다전자")
    index = next(
        k.split("-")[1] for k, v in data.items() if k.startswith("parties-") and k.endswith("-id") and v == wrong.pk
    )
    data[f"parties-{index}-DELETE"] = "on"
    data["_approve"] = "1"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    draft.refresh_from_db()
    assert draft.review_status == ReviewStatus.APPROVED
    assert draft.destination_country == "DE"
    assert not draft.parties.filter(pk=wrong.pk).exists()
    assert "가나다전자" not in draft.title  # the title follows the parties left


def test_an_invalid_form_approves_nothing_and_shows_its_errors(client, draft, reviewer):
    client.force_login(reviewer)
    url, data = _change_form_data(client, draft)
    data["signed_on"] = "not a date"
    data["_approve"] = "1"
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.review_status == ReviewStatus.DRAFT


def test_reject_without_a_reason_keeps_the_edits_and_decides_nothing(client, draft, reviewer):
    client.force_login(reviewer)
    url, data = _change_form_data(client, draft)
    data["place"] = "Hamburg"
    data["_reject"] = "1"
    client.post(url, data)
    draft.refresh_from_db()
    assert draft.review_status == ReviewStatus.DRAFT and draft.place == "Hamburg"
    data["decision-reason"] = "A rumour"
    client.post(url, data)
    draft.refresh_from_db()
    assert draft.review_status == ReviewStatus.REJECTED and draft.rejection_reason == "A rumour"


def inline_management(page, deal) -> dict:
    """The POST data of every inline formset on the change page, as the browser would send it."""
    data = {}
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        data.update({f"{fs.prefix}-{k}": v for k, v in fs.management_form.initial.items()})
        for i, f in enumerate(fs.forms):
            for name, field in f.fields.items():
                value = f.initial.get(name, field.initial)
                if value is None:
                    continue
                if hasattr(value, "pk"):
                    value = value.pk
                if isinstance(value, list):
                    value = [getattr(v, "pk", v) for v in value]
                data[f"{fs.prefix}-{i}-{name}"] = value
    return data


# ---- the draft page ----------------------------------------------------------------------------


def test_the_draft_page_highlights_evidence_and_escapes_the_article(client, draft, reviewer):
    client.force_login(reviewer)
    html = client.get(f"/admin/deals/deal/{draft.pk}/change/").content.decode()
    assert re.search(r'<mark class="evidence ev-amounts" id="ev-\d+"[^>]*>€50m</mark>', html)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'name="_approve"' in html and 'form="deal_form"' in html and "Save and next draft" in html


def test_a_viewer_sees_the_draft_but_cannot_decide(client, draft, viewer):
    client.force_login(viewer)
    html = client.get(f"/admin/deals/deal/{draft.pk}/change/").content.decode()
    assert "€50m" in html and 'name="_approve"' not in html
    assert client.post(f"/admin/deals/deal/{draft.pk}/approve/").status_code == 403
    draft.refresh_from_db()
    assert draft.review_status == ReviewStatus.DRAFT


def test_a_non_staff_user_never_reaches_the_admin(client, draft):
    user = User.objects.create_user("outsider", password="x")
    client.force_login(user)
    assert client.get(f"/admin/deals/deal/{draft.pk}/change/").status_code == 302


def test_approve_button_then_moves_to_the_next_draft(client, draft, reviewer):
    second = Deal.objects.create(title="Second")
    Deal.objects.create(title="Already approved", review_status=ReviewStatus.APPROVED)
    client.force_login(reviewer)
    response = client.post(f"/admin/deals/deal/{draft.pk}/approve/", {"next": "draft"})
    draft.refresh_from_db()
    assert draft.review_status == ReviewStatus.APPROVED
    assert response.status_code == 302 and response["Location"] == f"/admin/deals/deal/{second.pk}/change/"


def test_rejecting_without_a_reason_leaves_the_draft_alone(client, draft, reviewer):
    client.force_login(reviewer)
    client.post(f"/admin/deals/deal/{draft.pk}/reject/", {"reason": ""})
    draft.refresh_from_db()
    assert draft.review_status == ReviewStatus.DRAFT
    client.post(f"/admin/deals/deal/{draft.pk}/reject/", {"reason": "Rumour"})
    draft.refresh_from_db()
    assert draft.review_status == ReviewStatus.REJECTED


def test_bulk_reject_asks_for_a_reason_first(client, draft, reviewer):
    client.force_login(reviewer)
    data = {"action": "reject_selected", "_selected_action": [draft.pk]}
    page = client.post("/admin/deals/deal/", data)
    assert page.status_code == 200 and b"reason" in page.content
    draft.refresh_from_db()
    assert draft.review_status == ReviewStatus.DRAFT
    client.post("/admin/deals/deal/", {**data, "reason": "Domestic deal"})
    draft.refresh_from_db()
    assert draft.review_status == ReviewStatus.REJECTED


def test_the_draft_list_runs_a_fixed_number_of_queries_and_no_full_count(client, reviewer):
    client.force_login(reviewer)

    def queries_for(n: int) -> list[str]:
        for i in range(n):
            draft_upsert(article=article(TEXT + f" Copy {i}.", n=100 + i + n * 10),
                         result=result(title=f"Deal {i}") | {"deals": []})  # fmt: skip
            deal = Deal.objects.create(title=f"Deal {n}-{i}")
            DealParty.objects.create(deal=deal, company=Company.objects.create(name=f"C{n}-{i}"), role="investor")
        client.get("/admin/deals/deal/")  # warm the cached filter choices
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/admin/deals/deal/").status_code == 200
        return [q["sql"] for q in ctx.captured_queries]

    few, many = queries_for(2), queries_for(20)
    assert len(few) == len(many)
    counts = [q for q in many if "COUNT(" in q.upper()]
    assert counts and all("LIMIT" in q.upper() for q in counts)


def test_the_draft_list_filters_answer_without_errors(client, draft, reviewer):
    client.force_login(reviewer)
    for query in ("status=all", "status=approved", "confidence_band=low", "party_country=DE", "usd_total__isempty=0",
                  "language=en", "q=%EA%B0%80%EB%82%98%EB%8B%A4", "o=7"):  # fmt: skip
        response = client.get(f"/admin/deals/deal/?{query}")
        assert response.status_code == 200, query
    assert "Invented Robotics" in client.get("/admin/deals/deal/?party_country=DE").content.decode()
    assert "Invented Robotics" not in client.get("/admin/deals/deal/?party_country=JP").content.decode()


def test_the_corrections_page_measures_what_reviewers_changed(client, draft, reviewer):
    Amount.objects.filter(deal=draft).update(value=Decimal("60000000"))
    draft.place = ""
    draft.save()
    deal_approve(deal=draft, user=reviewer)
    client.force_login(reviewer)
    page = client.get("/admin/deals/deal/corrections/")
    assert page.status_code == 200
    [version] = page.context["versions"]
    rows = {r["field"]: r["score"] for r in version["rows"]}
    assert (rows["amounts"].tp, rows["amounts"].fp, rows["amounts"].fn) == (0, 1, 1)
    assert (rows["place"].tp, rows["place"].fp, rows["place"].fn) == (0, 1, 0)
    assert rows["parties"].precision == 1.0 and rows["kinds"].recall == 1.0
    assert ("amounts", "changed") in dict(page.context["corrections"])


def test_the_corrections_page_counts_people_not_the_demo(client, draft, reviewer):
    from deals.models import DecidedBy

    deal_approve(deal=draft, user=reviewer, decided_by=DecidedBy.DEMO)
    client.force_login(reviewer)
    page = client.get("/admin/deals/deal/corrections/")
    assert page.context["stats"].deals == 0 and page.context["versions"] == []


@pytest.mark.django_db(transaction=True)
def test_the_demo_leaves_drafts_to_review_and_marks_its_own_approvals(settings):
    from django.core.management import call_command

    from deals.models import DecidedBy
    from tracker.celery import app

    settings.DEBUG = True
    eager = app.conf.task_always_eager
    call_command("demo", "--username", "demo-admin")
    assert app.conf.task_always_eager == eager
    approved = Deal.objects.filter(review_status=ReviewStatus.APPROVED)
    assert approved.exists() and Deal.objects.filter(review_status=ReviewStatus.DRAFT).exists()
    assert set(approved.values_list("decided_by", flat=True)) == {DecidedBy.DEMO}


def test_worker_writes_are_in_the_history_with_their_reason(draft):
    record = draft.history.latest()
    assert record.history_user is None and record.history_change_reason == "extractor test-1"


def test_company_suggestions_pair_names_across_scripts(client, reviewer):
    a = company_match_or_create(name="제이케이엘", aliases=[], country="KR")
    b = company_match_or_create(name="JKL Co., Ltd.", aliases=[], country="KR")
    company_match_or_create(name="Unrelated Holdings", aliases=[], country="US")
    client.force_login(reviewer)
    page = client.get("/admin/deals/company/suggestions/")
    pairs = {(x.pk, y.pk) for x, y, _ in page.context["pairs"]}
    assert pairs == {(a.pk, b.pk)}
    client.post("/admin/deals/company/suggestions/", {"survivor": a.pk, "other": b.pk})
    assert not Company.objects.filter(pk=b.pk).exists()
    assert DealSource.objects.count() == 0  # nothing else touched


def test_deleting_a_party_of_an_approved_deal_retitles_it_on_the_public_side(client, draft, reviewer):
    deal_approve(deal=draft, user=reviewer)
    client.force_login(reviewer)
    url, data = _change_form_data(client, draft)
    wrong = draft.parties.get(company__name="가나다전자")
    index = next(
        k.split("-")[1] for k, v in data.items() if k.startswith("parties-") and k.endswith("-id") and v == wrong.pk
    )
    data[f"parties-{index}-DELETE"] = "on"
    data["_continue"] = "1"
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert "가나다전자" not in draft.title
    assert "가나다전자" not in client.get("/deals/").content.decode()


def test_the_draft_page_runs_the_same_number_of_queries_whatever_the_deal_holds(client, reviewer):
    client.force_login(reviewer)

    def queries_for(parties: int) -> int:
        res = result()
        text = TEXT + "".join(f" Partner{i} Corp joined." for i in range(parties))
        for i in range(parties):
            res["deals"][0]["parties"].append({"name": f"Partner{i} Corp", "aliases": [], "country": "US",
                                               "role": "investor"})  # fmt: skip
            start = text.index(f"Partner{i} Corp")
            res["deals"][0]["evidence"].append({"field": "parties", "start": start, "end": start + 12,
                                                "text": text[start : start + 12]})  # fmt: skip
        [deal] = draft_upsert(article=article(text, n=300 + parties), result=res)
        client.get(f"/admin/deals/deal/{deal.pk}/change/")  # warm caches (sessions, choices)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/admin/deals/deal/{deal.pk}/change/").status_code == 200
        return [q["sql"] for q in ctx.captured_queries]

    few, many = queries_for(0), queries_for(6)
    assert len(few) == len(many), [
        q[:200] for q in many if re.sub(r"\d+", "N", q) not in {re.sub(r"\d+", "N", f) for f in few}
    ]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_corrections_page_names_fields_and_corrections_in_the_readers_language(client, draft, reviewer, lang):
    from django.utils import translation

    from deals.review import correction_label, field_label

    draft.place = ""
    draft.save()
    deal_approve(deal=draft, user=reviewer)
    client.force_login(reviewer)
    html = client.get("/admin/deals/deal/corrections/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    with translation.override(lang):
        place, removed, signed = field_label("place"), correction_label("removed"), field_label("signed_on")
    assert (place, removed) != ("place", "removed") or lang == "en"
    assert f"<td>{place}</td><td>{removed}</td>" in html
    assert f"<td>{signed}</td>" in html
    assert "<td>signed_on</td>" not in html and "<td>destination_country</td>" not in html
