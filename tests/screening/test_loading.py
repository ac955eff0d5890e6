"""Loading sanctions lists and the LEI registry through the real commands into the real database."""

import pytest
from django.core.management import CommandError, call_command

from deals.models import Company
from screening.models import ListedEntity, ListedName, ListLoad, MatchStatus, RegistryEntity, ScreeningList
from screening.services import company_screen

from .conftest import FILES, load

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    """Everything a load writes, to show that a refused one wrote nothing."""
    return (
        list(ScreeningList.objects.values_list("name", "entity_count", "loaded_at").order_by("name")),
        list(ListedEntity.objects.values_list("external_id", "content_hash", "delisted_at").order_by("external_id")),
        ListedName.objects.count(),
        ListLoad.objects.count(),
        list(RegistryEntity.objects.values_list("lei", "legal_name").order_by("lei")),
    )


def test_the_opensanctions_simple_csv_loads_names_in_every_script_countries_and_programmes():
    load(FILES / "targets.simple.csv", "--name", "test sanctions")
    nordvik = ListedEntity.objects.get(external_id="NK-test-nordvik")
    assert nordvik.names == ["NORDVIK LLC", "ООО «Нордвик»", "Nordvik Technologies"]
    assert nordvik.countries == ["ru"]
    assert nordvik.programmes == ["TEST-RUS"]
    assert nordvik.identifiers == ["INN 0000000001"]
    assert str(nordvik.first_seen) == "2024-03-01"
    lst = ScreeningList.objects.get(name="test sanctions")
    assert lst.entity_count == 5 and lst.format == "opensanctions-csv"
    assert "CC BY-NC" in lst.licence
    # The Cyrillic alias is indexed by its transliteration, which is the Latin name's key.
    assert set(ListedName.objects.filter(entity=nordvik, kind="full").values_list("key", flat=True)) == {
        "nordvik", "nordviktechnologies"}  # fmt: skip


def test_followthemoney_json_lines_load_things_and_take_programmes_from_their_sanction_entities():
    load(FILES / "entities.ftm.json", "--name", "ftm")
    assert sorted(ListedEntity.objects.values_list("external_id", flat=True)) == ["ftm-test-nordvik", "ftm-test-qelvar"]
    nordvik = ListedEntity.objects.get(external_id="ftm-test-nordvik")
    assert nordvik.programmes == ["TEST-RUS", "Invented Regulation 1/2026"]
    assert nordvik.identifiers == ["innCode: 0000000001"]
    assert "ООО «Нордвик»" in nordvik.names


def test_the_ofac_sdn_csv_loads_with_its_aliases_and_programmes():
    load(FILES / "sdn.csv", "--format", "ofac-sdn-csv", "--name", "sdn")
    nordvik = ListedEntity.objects.get(external_id="9990001")
    assert nordvik.names == ["NORDVIK LLC", "NORDVIK TECHNOLOGIES"]
    assert ListedEntity.objects.get(external_id="9990002").programmes == ["BELARUS-EO14038", "TEST"]


def test_the_gleif_level_1_csv_loads_legal_names_other_names_and_addresses():
    call_command("registry_load", str(FILES / "lei-level1.csv"))
    hanbit = RegistryEntity.objects.get(pk="TEST0000000000NORD01")
    assert hanbit.legal_name == "주식회사 한빛소재"
    assert hanbit.other_names == ["Hanbit Sojae Co., Ltd.", "HANBIT SOJAE"]
    assert hanbit.jurisdiction == "KR" and hanbit.country == "KR" and hanbit.status == "ACTIVE"
    assert "Testsi" in hanbit.address
    call_command("registry_load", str(FILES / "lei-level1.csv"))  # a reload changes nothing
    assert RegistryEntity.objects.count() == 2


def test_a_reload_replaces_the_list_and_records_what_was_added_removed_and_changed(files):
    load(files / "targets.simple.csv", "--name", "test sanctions")
    text = (files / "targets.simple.csv").read_text()
    lines = text.splitlines(keepends=True)
    changed = [ln.replace("TEST-BLR", "TEST-BLR;TEST-NEW") if ln.startswith("NK-test-qelvar") else ln
               for ln in lines if not ln.startswith("Q-test-person")]  # fmt: skip
    changed.append("NK-test-new,Company,Brindlemoor Assets,,,gb,,,,,,TEST-GBR,test_sanctions,2026-12-01,,\n")
    (files / "targets.simple.csv").write_text("".join(changed))
    load(files / "targets.simple.csv", "--name", "test sanctions")
    last = ListLoad.objects.filter(list__name="test sanctions").first()
    assert (last.added, last.removed, last.changed, last.entities) == (1, 1, 1, 5)
    person = ListedEntity.objects.get(external_id="Q-test-person")
    assert person.delisted_at is not None  # kept, with its history, but no longer screened against
    assert ScreeningList.objects.get(name="test sanctions").entity_count == 5


def test_a_reload_that_delists_an_entity_clears_its_open_flags(files):
    load(files / "targets.simple.csv", "--name", "test sanctions")
    company = Company.objects.create(name="Qelvar Dynamics", country="BY")
    [flag] = company_screen(company=company)
    assert flag.entity.external_id == "NK-test-qelvar" and flag.status == MatchStatus.OPEN
    text = (files / "targets.simple.csv").read_text()
    (files / "targets.simple.csv").write_text(
        "".join(ln for ln in text.splitlines(keepends=True) if not ln.startswith("NK-test-qelvar"))
    )
    load(files / "targets.simple.csv", "--name", "test sanctions")
    flag.refresh_from_db()
    assert flag.status == MatchStatus.CLEARED
    assert flag.decision_reason.startswith("delisted by the load of test sanctions")
    assert [h.status for h in flag.history.order_by("history_id")] == ["open", "cleared"]
    assert ListLoad.objects.filter(list__name="test sanctions").first().flags_cleared == 1
    assert company_screen(company=company) == []  # and screening again finds nothing to reopen
    flag.refresh_from_db()
    assert flag.status == MatchStatus.CLEARED


def _cut(path, at):
    data = path.read_bytes()
    path.write_bytes(data[:at] if isinstance(at, int) else at(data))


@pytest.mark.parametrize(
    ("name", "fmt", "damage", "message"),
    [
        ("targets.simple.csv", "opensanctions-csv", lambda d: d[: d.index(b"NK-test-qelvar") + 40], "fields where"),
        ("targets.simple.csv", "opensanctions-csv", lambda d: d.rstrip(b"\n"), "does not end with a line break"),
        ("targets.simple.csv", "opensanctions-csv", lambda d: d[: d.index(b'"Ivor') + 6], "unexpected end of data"),
        ("targets.simple.csv", "opensanctions-csv", lambda d: d.replace(b"id,schema,name", b"ref,kind,title", 1),
         "header lacks id, schema, name"),
        ("targets.simple.csv", "opensanctions-csv", lambda d: d.replace(b"2025-01-10", b"10/01/2025"), "is not a date"),
        ("targets.simple.csv", "opensanctions-csv", lambda d: d.replace("Нордвик".encode(), "Нордвик".encode("cp1251")),
         "not UTF-8"),
        ("targets.simple.csv", "opensanctions-csv", lambda d: d + d.splitlines(keepends=True)[1], "twice"),
        ("targets.simple.csv", "opensanctions-csv", lambda d: d.splitlines(keepends=True)[0], "no entities"),
        ("entities.ftm.json", "ftm-jsonl", lambda d: d[: d.rindex(b"Qelvar")], "not JSON"),
        ("sdn.csv", "ofac-sdn-csv", lambda d: d.replace(b'"RUSSIA-EO14024",', b""), "fields where sdn.csv has 12"),
    ],
)  # fmt: skip
def test_a_malformed_or_truncated_file_is_refused_with_a_clear_error_and_changes_nothing(files, name, fmt, damage,
                                                                                        message):  # fmt: skip
    load(files / name, "--format", fmt, "--name", "test sanctions")
    before = snapshot()
    _cut(files / name, damage)
    with pytest.raises(CommandError, match=message) as refused:
        load(files / name, "--format", fmt, "--name", "test sanctions")
    assert "The list is unchanged" in str(refused.value)
    assert snapshot() == before


def test_a_malformed_registry_file_is_refused_and_changes_nothing(files):
    call_command("registry_load", str(files / "lei-level1.csv"))
    before = snapshot()
    _cut(files / "lei-level1.csv", lambda d: d.replace(b"TEST0000000000ZEPH42", b"NOT-AN-LEI"))
    with pytest.raises(CommandError, match="'NOT-AN-LEI' is not an LEI"):
        call_command("registry_load", str(files / "lei-level1.csv"))
    _cut(files / "lei-level1.csv", lambda d: d[:-30])
    with pytest.raises(CommandError, match="registry is unchanged"):
        call_command("registry_load", str(files / "lei-level1.csv"))
    assert snapshot() == before


def test_a_reload_that_would_delist_most_of_a_big_list_is_refused_unless_allowed(files):
    header = (files / "targets.simple.csv").read_text().splitlines(keepends=True)[0]
    rows = [f"NK-gen-{i},Company,Invented Entity Number {i} Zorvath,,,ru,,,,,,TEST,test,,,\n" for i in range(30)]
    (files / "big.csv").write_text(header + "".join(rows))
    load(files / "big.csv", "--name", "big")
    (files / "big.csv").write_text(header + "".join(rows[:10]))  # cut at a line boundary: looks complete
    before = snapshot()
    with pytest.raises(CommandError, match="would delist 20 of 30"):
        load(files / "big.csv", "--name", "big")
    assert snapshot() == before
    load(files / "big.csv", "--name", "big", "--allow-shrink")
    assert ScreeningList.objects.get(name="big").entity_count == 10


def test_a_followthemoney_reload_counts_a_changed_programme_as_a_change(files):
    load(files / "entities.ftm.json", "--name", "ftm")
    text = (files / "entities.ftm.json").read_text()
    (files / "entities.ftm.json").write_text(text.replace('"programId": ["TEST-RUS"]', '"programId": ["TEST-RUS-2"]'))
    load(files / "entities.ftm.json", "--name", "ftm")
    assert ListedEntity.objects.get(external_id="ftm-test-nordvik").programmes == [
        "TEST-RUS-2", "Invented Regulation 1/2026"]  # fmt: skip
    last = ListLoad.objects.filter(list__name="ftm").first()
    assert (last.added, last.removed, last.changed) == (0, 0, 1)


def test_the_daily_refresh_reloads_each_configured_list_and_a_broken_one_keeps_its_last_load(files, settings):
    from screening.tasks import lists_refresh

    good, broken = files / "targets.simple.csv", files / "sdn.csv"
    settings.SCREENING_REFRESH = [("refreshed", "opensanctions-csv", str(good)), ("sdn", "ofac-sdn-csv", str(broken))]
    assert len(lists_refresh()) == 2
    broken.write_bytes(broken.read_bytes()[:50])
    before = list(ListedEntity.objects.filter(list__name="sdn").values_list("external_id", "content_hash"))
    assert lists_refresh() == ["refreshed: +0 -0 ~0"]
    assert list(ListedEntity.objects.filter(list__name="sdn").values_list("external_id", "content_hash")) == before
