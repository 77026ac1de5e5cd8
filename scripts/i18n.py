"""Translations: Simplified Chinese is written by hand, Traditional Chinese is generated, .mo are compiled.

    python scripts/i18n.py            # = hant + compile
    python scripts/i18n.py extract [APP…]  # makemessages -l zh_Hans in every app that has a locale/ folder
    python scripts/i18n.py hant       # locale/zh_Hant/…/*.po from locale/zh_Hans/…/*.po (OpenCC s2twp)
    python scripts/i18n.py compile    # every .po → .mo (pure Python: no gettext needed)
    python scripts/i18n.py check      # exit 1 if a zh_Hant .po or a .mo is out of date

Each app keeps ``yingxiao/<app>/locale/zh_Hans/LC_MESSAGES/django.po`` (and ``djangojs.po`` if it has
JavaScript strings). The zh_Hant files are generated: never edit them, edit zh_Hans and run
``make messages``. OpenCC's ``s2twp`` converts characters and Taiwan phrasing (数据 → 資料,
软件 → 軟體). Both .po and .mo are committed, so ``make run`` works on a machine without gettext.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

try:
    import opencc
    import polib
except ImportError:  # pragma: no cover — a half-installed venv: the committed .mo files still work
    print("scripts/i18n.py: polib/opencc not installed; keeping the committed .mo files", file=sys.stderr)
    sys.exit(0)

ROOT = Path(__file__).resolve().parent.parent
SOURCE, TARGET = "zh_Hans", "zh_Hant"
GENERATED_NOTE = "Generated from zh_Hans by scripts/i18n.py (OpenCC s2twp). Do not edit: run `make messages`."
_converter = opencc.OpenCC("s2twp")
# Where s2twp's phrase table picks a word Taiwanese software does not use (权限 → 許可權).
OVERRIDES = {"許可權": "權限", "退出登入": "登出"}


def locale_dirs() -> list[Path]:
    """Every ``locale/`` folder of the project: one per app, plus the project-wide one if present."""
    dirs = sorted(p for p in (ROOT / "yingxiao").glob("*/locale") if p.is_dir())
    if (ROOT / "locale").is_dir():
        dirs.append(ROOT / "locale")
    return dirs


def source_catalogs() -> Iterator[Path]:
    for locale in locale_dirs():
        yield from sorted((locale / SOURCE / "LC_MESSAGES").glob("*.po"))


def to_traditional(text: str) -> str:
    if not text:
        return text
    converted = _converter.convert(text)
    for wrong, right in OVERRIDES.items():
        converted = converted.replace(wrong, right)
    return converted


def hant_catalog(source: Path) -> polib.POFile:
    """The zh_Hant catalog for one zh_Hans catalog: same entries, every msgstr converted."""
    po = polib.pofile(str(source), wrapwidth=0)
    po.metadata["Language"] = TARGET
    po.header = GENERATED_NOTE
    po.metadata_is_fuzzy = False
    for entry in po:
        entry.msgstr = to_traditional(entry.msgstr)
        entry.msgstr_plural = {n: to_traditional(s) for n, s in entry.msgstr_plural.items()}
    return po


def target_of(source: Path) -> Path:
    return source.parent.parent.parent / TARGET / "LC_MESSAGES" / source.name


def generate_hant() -> list[Path]:
    """Write every zh_Hant .po; return the ones whose content changed."""
    changed = []
    for source in source_catalogs():
        target = target_of(source)
        text = str(hant_catalog(source))
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            changed.append(target)
    return changed


def all_catalogs() -> Iterator[Path]:
    for locale in locale_dirs():
        yield from sorted(locale.glob("*/LC_MESSAGES/*.po"))


def compiled(po_path: Path) -> bytes:
    # polib writes only translated, non-fuzzy entries, as msgfmt does.
    return polib.pofile(str(po_path)).to_binary()


def compile_all() -> list[Path]:
    """Write every .mo whose bytes differ from its .po's; return the ones written."""
    written = []
    for po_path in all_catalogs():
        if not mo_is_current(po_path):
            mo_path = po_path.with_suffix(".mo")
            mo_path.write_bytes(compiled(po_path))
            written.append(mo_path)
    return written


def _translations(catalog: polib._BaseFile) -> dict[tuple[str, str], object]:
    return {
        (entry.msgctxt or "", entry.msgid): (entry.msgstr_plural and tuple(sorted(entry.msgstr_plural.items())))
        or entry.msgstr
        for entry in catalog.translated_entries()
    }


def mo_is_current(po_path: Path) -> bool:
    """The .mo holds the .po's translations (compared by content: msgfmt and polib lay bytes out differently)."""
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return False
    return _translations(polib.mofile(str(mo_path))) == _translations(polib.pofile(str(po_path)))


def collisions() -> list[str]:
    """The same msgid (no context) translated differently by two apps: only one can win at run time.

    Django looks catalogs up in INSTALLED_APPS order, so the first app's wording shows everywhere;
    give such strings a context (``pgettext_lazy("navigation", "Home")``, ``{% translate … context … %}``).
    """
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    found = []
    for source in source_catalogs():
        app = source.parents[3].name
        for entry in polib.pofile(str(source)).translated_entries():
            key = (entry.msgctxt or "", entry.msgid)
            if key in seen and seen[key][1] != entry.msgstr and not entry.msgid_plural:
                other_app, other = seen[key]
                found.append(f"{entry.msgid!r}: {other_app} says {other!r}, {app} says {entry.msgstr!r}")
            seen.setdefault(key, (app, entry.msgstr))
    return found


def stale() -> list[str]:
    """What ``make messages`` would change (empty when everything is in sync)."""
    problems = []
    for source in source_catalogs():
        target = target_of(source)
        if not target.exists() or target.read_text(encoding="utf-8") != str(hant_catalog(source)):
            problems.append(f"{target.relative_to(ROOT)} is out of date")
    for po_path in all_catalogs():
        if not mo_is_current(po_path):
            problems.append(f"{po_path.with_suffix('.mo').relative_to(ROOT)} is out of date")
    return problems


def extract(apps: list[str]) -> None:
    """Refresh the zh_Hans catalogs from the code and templates of each app (or of ``apps``; needs gettext)."""
    django_admin = Path(sys.executable).with_name("django-admin")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for locale in locale_dirs():
        if locale == ROOT / "locale" or (apps and locale.parent.name not in apps):
            continue
        for domain in ("django", "djangojs"):
            if domain == "djangojs" and not (locale / SOURCE / "LC_MESSAGES" / "djangojs.po").exists():
                continue  # an app opts in to JavaScript strings by creating its djangojs.po
            subprocess.run(  # noqa: S603 — a fixed command on our own files
                [str(django_admin), "makemessages", "-l", SOURCE, "-d", domain, "--no-obsolete", "-v", "0"],
                cwd=locale.parent,
                env=env,
                check=True,
            )


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "all"
    if command == "extract":
        extract(argv[2:])
    elif command in ("hant", "all"):
        for path in generate_hant():
            print(f"generated {path.relative_to(ROOT)}")
    if command in ("compile", "all"):
        for path in compile_all():
            print(f"compiled {path.relative_to(ROOT)}")
    elif command == "check":
        for clash in collisions():
            print(f"warning: {clash}", file=sys.stderr)
        problems = stale()
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("run `make messages`", file=sys.stderr)
        return 1 if problems else 0
    elif command not in ("extract", "hant", "all", "compile"):
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
