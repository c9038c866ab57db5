"""One Chinese word, one English word: Django merges every catalogue of a language into one (LOCALE_PATHS
first, then the apps in INSTALLED_APPS order; the first that translates a message wins everywhere). So if two
catalogues give the same message different English, every page shows whichever catalogue came first — the
escalate button read "Up" because the hand-off direction's 升级 won. The same (context, msgid) must have the
same English in every catalogue; where the meanings differ, the uses need their own contexts
(`pgettext("button: escalate the case", "升级")`, `{% translate "升级" context "…" %}`).

Reads the compiled .mo files, which are what Django loads (test_i18n checks that they match their .po files).
"""

import gettext as gettext_module
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR).resolve()


def _catalogues() -> list[tuple[str, Path]]:
    """The project's English .mo files in the order Django's translation merge gives them priority."""
    found = [
        ("LOCALE_PATHS " + str(Path(p).resolve().relative_to(ROOT)), Path(p)) for p in settings.LOCALE_PATHS
    ]
    found += [
        (config.label, Path(config.path) / "locale")
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(ROOT)
    ]
    return [
        (name, directory / "en" / "LC_MESSAGES" / "django.mo")
        for name, directory in found
        if (directory / "en" / "LC_MESSAGES" / "django.mo").exists()
    ]


def _describe(key) -> str:
    msgid, plural_form = key if isinstance(key, tuple) else (key, None)
    context, _sep, text = msgid.rpartition("\x04")
    described = repr(text) + (f" (context {context!r})" if context else "")
    return described + (f" [plural form {plural_form}]" if plural_form is not None else "")


def test_the_catalogues_are_found():
    names = [name for name, _path in _catalogues()]
    assert names[0].startswith("LOCALE_PATHS") and {"web", "escalation", "analytics"} <= set(names)


def test_each_message_has_one_english_translation_across_the_catalogues():
    translations: dict = {}
    for name, mo_file in _catalogues():
        with mo_file.open("rb") as handle:
            catalogue = gettext_module.GNUTranslations(handle)._catalog
        for key, english in catalogue.items():
            if key != "" and english.strip():
                translations.setdefault(key, []).append((name, english))

    clashes = {key: found for key, found in translations.items() if len({e for _n, e in found}) > 1}
    report = [
        f"  {_describe(key)}: "
        + "; ".join(f"{name} {english!r}" for name, english in found)
        + f" -> every page shows {found[0][1]!r}"
        for key, found in sorted(clashes.items(), key=lambda item: str(item[0]))
    ]
    assert not clashes, (
        f"{len(clashes)} message(s) have different English in different catalogues; Django uses the first "
        "everywhere. Give them the same English in every catalogue, or, where the meanings differ, give the "
        "uses a context (pgettext / {% translate … context … %}) with its own entry:\n" + "\n".join(report)
    )
