"""Matching companies against the lists across scripts, on lists loaded through the real command."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.models import Company, CompanyAlias
from deals.services import draft_upsert
from screening.matching import forms
from screening.models import MatchStatus, ScreeningMatch
from screening.services import company_screen, screening_match_decide
from tests.factories import article, result

from .conftest import FILES, load

pytestmark = pytest.mark.django_db


def flagged(name: str, country: str = "", aliases: tuple[str, ...] = ()) -> list[ScreeningMatch]:
    company = Company.objects.create(name=name, country=country)
    for alias in aliases:
        CompanyAlias.objects.create(company=company, name=alias)
    return company_screen(company=company)


@pytest.mark.parametrize("fmt_file", ["targets.simple.csv", "entities.ftm.json", "sdn.csv"])
def test_a_hangul_cyrillic_latin_name_triple_matches_one_listed_entity(fmt_file):
    load(FILES / fmt_file, "--name", "test list")
    found = {name: flagged(name, "RU") for name in ("노르드빅", "ООО Нордвик", "Nordvik Ltd")}
    entities = {m.entity.external_id for flags in found.values() for m in flags}
    assert all(len(flags) == 1 for flags in found.values()), found
    assert len(entities) == 1 and next(iter(entities)) in {"NK-test-nordvik", "ftm-test-nordvik", "9990001"}
    # One company known by all three names is one flag, not three.
    assert len(flagged("노르드빅", "RU", aliases=("ООО Нордвик", "Nordvik Ltd"))) == 1


def test_a_hangul_name_matches_by_sound_and_says_so(sanctions):
    [flag] = flagged("노르드빅㈜", "RU")
    assert flag.strength == "strong" and flag.score == 90
    assert flag.reasons == [
        "sounds the same once transliterated: “노르드빅㈜” ~ “NORDVIK LLC” (85)",
        "same country (RU): +5",
    ]
    assert flag.entity.programmes == ["TEST-RUS"]


@pytest.mark.parametrize("name", ["Global", "글로벌", "Глобал", "Global Trading Co., Ltd.", "AB", "AB Ltd", "㈜ AB"])
def test_a_common_word_or_a_short_name_never_flags(sanctions, name):
    # The list holds entities named exactly "Global" and "AB": still no flag.
    assert flagged(name, "RU") == []
    assert forms(name).flaggable is False


def test_a_different_country_counts_against_a_match_and_the_reason_says_so(sanctions):
    [same] = flagged("Qelvar Dynamics", "BY")
    [other] = flagged("Qelvar Dynamics Group", "KR")
    assert same.score == 93 and same.strength == "strong"
    assert other.score == 90 and "different country (KR vs BY): −10" in other.reasons


def test_an_unrelated_name_does_not_flag(sanctions):
    assert flagged("Northwind Robotics", "RU") == []
    assert flagged("Sampleman Holdings", "RU") == []  # a person's surname is one distinctive word of three


def test_candidates_are_found_by_index_in_a_handful_of_queries(sanctions):
    company = Company.objects.create(name="Nordvik Technologies", country="RU")
    with CaptureQueriesContext(connection) as queries:
        company_screen(company=company)
    assert len(queries) <= 12
    assert not any('FROM "screening_listedentity"' in q["sql"] and "WHERE" not in q["sql"] for q in queries)


def test_a_reviewers_decision_survives_screening_again_and_is_kept_in_history(sanctions, django_user_model):
    user = django_user_model.objects.create_user("rita")
    [flag] = flagged("Nordvik Technologies", "RU")
    with pytest.raises(ValueError, match="needs a reason"):
        screening_match_decide(match=flag, decision=MatchStatus.DISMISSED, reason=" ", user=user)
    screening_match_decide(match=flag, decision=MatchStatus.DISMISSED, reason="another firm of that name", user=user)
    assert company_screen(company=flag.company) == []
    flag.refresh_from_db()
    assert flag.status == MatchStatus.DISMISSED and flag.decision_reason == "another firm of that name"
    assert [(h.status, h.history_user_id) for h in flag.history.order_by("history_id")] == [
        ("open", None), ("dismissed", None)]  # fmt: skip
    assert flag.decided_by == user


def test_a_draft_is_screened_when_it_is_written(sanctions, in_process_tasks, django_capture_on_commit_callbacks):
    data = result()
    data["deals"][0]["parties"][0].update(name="Nordvik Technologies LLC", country="RU")
    with django_capture_on_commit_callbacks(execute=True):
        [deal] = draft_upsert(article=article(), result=data)
    flags = ScreeningMatch.objects.filter(company__deal_parties__deal=deal)
    assert [(f.company.name, f.entity.external_id, f.strength) for f in flags] == [
        ("Nordvik Technologies LLC", "NK-test-nordvik", "strong")]  # fmt: skip


def test_a_name_shared_by_many_listed_entities_flags_only_the_best_few(files):
    header = (files / "targets.simple.csv").read_text().splitlines(keepends=True)[0]
    kinds = ["Trading", "Holding", "Group", "Shipping", "Energy", "Industries", "Capital", "Logistics"]
    rows = [f"NK-many-{i},Company,Brannoch {kind} LLC,,,ru,,,,,,TEST,test,,,\n" for i, kind in enumerate(kinds)]
    (files / "many.csv").write_text(header + "".join(rows))
    load(files / "many.csv", "--name", "many")
    flags = flagged("Brannoch", "RU")
    assert len(flags) == 5 and all(f.score == 93 for f in flags)


def test_a_merged_companys_flags_and_lei_move_to_the_survivor_with_their_decisions(sanctions, django_user_model):
    from deals.services import company_merge
    from screening.models import RegistryEntity

    user = django_user_model.objects.create_user("rita")
    survivor = Company.objects.create(name="노르드빅", country="RU")
    [flag] = flagged("Nordvik Technologies", "RU")
    screening_match_decide(match=flag, decision=MatchStatus.CONFIRMED, reason="same INN", user=user)
    other = flag.company
    other.lei = RegistryEntity.objects.create(lei="TEST0000000000MERG07", legal_name="Nordvik Technologies")
    other.save()
    company_merge(survivor=survivor, others=[other])
    flag.refresh_from_db()
    survivor.refresh_from_db()
    assert (flag.company, flag.status, flag.decision_reason) == (survivor, MatchStatus.CONFIRMED, "same INN")
    assert survivor.lei_id == "TEST0000000000MERG07"
