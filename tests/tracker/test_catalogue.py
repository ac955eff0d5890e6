"""Korean everywhere: every string the project marks for translation has a Korean entry."""

import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _ko_table() -> dict[str, str]:
    return runpy.run_path(str(ROOT / "locale" / "ko_translations.py"))["KO"]


@pytest.mark.skipif(not shutil.which("xgettext"), reason="makemessages needs GNU gettext (apt-get install gettext)")
def test_every_string_marked_for_translation_in_the_code_has_a_korean_entry(tmp_path):
    # makemessages on a copy: the check sees today's code, not the last committed catalogue.
    for name in ("deals", "sources", "screening", "templates", "tracker", "manage.py"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    (tmp_path / "locale").mkdir()
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "ko", "--no-obsolete"], cwd=tmp_path,
                   check=True, capture_output=True, env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE":
                                                          "tracker.settings"})  # fmt: skip
    from babel.messages.pofile import read_po

    with open(tmp_path / "locale" / "ko" / "LC_MESSAGES" / "django.po", "rb") as f:
        catalog = read_po(f, locale="ko")
    assert len(catalog) > 200, "makemessages found too few strings: is the copy complete?"
    table = _ko_table()
    missing = [m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id]
    missing = [key for key in missing if not table.get(key)]
    assert not missing, f"{len(missing)} string(s) without Korean (add them to locale/ko_translations.py): {missing}"


def test_the_compiled_catalogue_carries_every_korean_entry():
    from babel.messages.mofile import read_mo

    with open(ROOT / "locale" / "ko" / "LC_MESSAGES" / "django.mo", "rb") as f:
        compiled = {(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in read_mo(f) if m.id}
    stale = [key for key, value in _ko_table().items() if key in compiled and not compiled[key]]
    assert not stale, f"run ./scripts/translate.sh: {stale}"
    assert compiled, "the Korean catalogue is empty"
