"""English, the second language: the API and the pages follow Accept-Language / the language switch, and
every user-facing string has an English translation.

Chinese (zh-hans) is the source language: the msgids are Chinese and the English lives in
locale/en/LC_MESSAGES/django.po, or, for an app with its own locale/ directory, in
<app>/locale/en/LC_MESSAGES/django.po (makemessages puts each string in the nearest one). After adding or
changing a user-facing string, update the catalogues (see HOW_TO_UPDATE below) and commit both django.po and
django.mo (the .mo is committed because a fresh machine may lack msgfmt).
"""

import ast
import gettext as gettext_module
import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils.translation.template import templatize

CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

ROOT = Path(settings.BASE_DIR)

HOW_TO_UPDATE = """
How to fix:
  1. .venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=bench --no-obsolete
  2. translate every new or changed entry into English, in locale/en/LC_MESSAGES/django.po or, for an app
     with its own locale/ directory, in <app>/locale/en/LC_MESSAGES/django.po: fill its msgstr, keep
     placeholders such as %(number)s exactly, and delete any "#, fuzzy" line
  3. .venv/bin/python manage.py compilemessages -l en --ignore=.venv
  4. commit both the django.po and the django.mo
"""


# --- The API speaks the caller's language -------------------------------------------------------------------


def _without_title(payload: dict) -> dict:
    del payload["title"]
    return payload


def _with_phone(phone: str):
    def build(payload: dict) -> dict:
        payload["customer"] = payload["customer"] | {"phone": phone}
        return payload

    return build


# (case id, builds the request body from a valid payload, field, Chinese message, English message)
INTAKE_ERRORS = [
    ("missing-title", _without_title, "title", "此项为必填项", "This field is required"),
    ("blank-title", lambda p: p | {"title": "   "}, "title", "此项为必填项", "This field is required"),
    (
        "phone-invalid",
        _with_phone("12345"),
        "customer.phone",
        "电话号码无效，请检查位数和区号",
        "Invalid phone number; please check the number of digits and the area code",
    ),
    (
        "phone-unparseable",
        _with_phone("abc"),
        "customer.phone",
        "无法识别的电话号码",
        "Phone number not recognised",
    ),
]

# (Accept-Language header or None, expected language)
LANGUAGE_HEADERS = [
    (None, "zh-hans"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-hans"),
    ("en", "en"),
    ("en-US,en;q=0.9", "en"),
]


def _post_complaint(api, payload: dict, accept_language: str | None):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    return api.client.post(
        "/api/v1/complaints", data=json.dumps(payload), content_type="application/json", **headers
    )


@pytest.mark.parametrize(
    ("accept_language", "language"), LANGUAGE_HEADERS, ids=[h[0] or "none" for h in LANGUAGE_HEADERS]
)
@pytest.mark.parametrize(
    ("build", "field", "chinese", "english"),
    [c[1:] for c in INTAKE_ERRORS],
    ids=[c[0] for c in INTAKE_ERRORS],
)
def test_intake_errors_follow_accept_language(
    org, api_for, make_payload, build, field, chinese, english, accept_language, language
):
    response = _post_complaint(api_for(org.agent_a), build(make_payload()), accept_language)

    assert response.status_code == 422, response.content
    assert response["Content-Language"] == language
    body = response.json()
    if language == "en":
        assert body["title"] == "The submitted data is invalid"
        assert body["errors"] == {field: [english]}
        assert not CHINESE.search(response.content.decode()), body
    else:
        assert body["title"] == "提交的数据有误"
        assert body["errors"] == {field: [chinese]}


def test_illegal_transition_names_the_statuses_in_english(org, api_for, make_payload):
    api = api_for(org.agent_a)
    created = api.post("/complaints", make_payload())
    assert created.status_code == 201, created.content
    number = created.json()["number"]

    response = api.client.post(
        f"/api/v1/complaints/{number}/transitions",
        data=json.dumps({"to": "closed", "reason": "test"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 422, response.content
    body = response.json()
    assert body["title"] == "Status change not allowed"
    [message] = body["errors"]["to"]
    assert message.startswith(
        "The current status is “New (awaiting acceptance)” (new), which cannot change to closed"
    )
    assert "Accepted" in message and "Withdrawn by customer" in message


def test_not_found_in_english(org, api_for):
    response = api_for(org.agent_a).client.get("/api/v1/complaints/TS000", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404, response.content
    assert response.json()["title"] == "Complaint TS000 not found"


# --- The pages speak the visitor's language -----------------------------------------------------------------


def test_login_page_in_english(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    for text in ("Log in", "Username", "Password", "Customer Complaint Management"):
        assert text in html
    assert "登录" not in html


def test_login_page_in_chinese_by_default(db):
    html = Client().get("/login/").content.decode()

    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "Log in" not in html


def test_language_switch_turns_the_pages_english(db):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302

    html = client.get("/login/").content.decode()
    assert "Log in" in html and "登录" not in html


def test_workbench_in_english(org):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(org.agent_a)

    html = client.get("/").content.decode()

    for text in (
        "My workbench",
        "Log out",
        "Customer service agent",
        "My to-do list (by next deadline)",
        "Phone intake",
        "At risk",
        "Next deadline",
    ):
        assert text in html


# --- The catalogues are complete, consistent and compiled ---------------------------------------------------

IGNORED_DIRS = {".venv", "var", "bench", "node_modules", "__pycache__"}  # as in the makemessages command


def _project_walk():
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS and not d.startswith("."))
        yield Path(dirpath), dirnames, sorted(filenames)


def _locale_dirs() -> list[Path]:
    """The locale directories makemessages fills: LOCALE_PATHS, and every app's own locale/."""
    found = [Path(p).resolve() for p in settings.LOCALE_PATHS]
    for dirpath, dirnames, _filenames in _project_walk():
        if "locale" in dirnames and (dirpath / "locale").resolve() not in found:
            found.append((dirpath / "locale").resolve())
    return found


LOCALE_DIRS = _locale_dirs()
CATALOGUES = [d / "en" / "LC_MESSAGES" / "django.po" for d in LOCALE_DIRS]
CATALOGUE_IDS = [str(c.relative_to(ROOT)) if c.is_relative_to(ROOT) else str(c) for c in CATALOGUES]


def catalogue_for(source: Path) -> Path:
    """The catalogue makemessages writes a source file's strings to: that of the nearest app locale/
    directory above the file, else that of LOCALE_PATHS."""
    apps = [d for d in LOCALE_DIRS[len(settings.LOCALE_PATHS) :] if d.parent in source.resolve().parents]
    chosen = max(apps, key=lambda d: len(d.parts)) if apps else LOCALE_DIRS[0]
    return chosen / "en" / "LC_MESSAGES" / "django.po"


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file as written by makemessages (entries separated by blank lines), without the
    header and obsolete `#~` entries: {"line", "flags", "msgctxt", "msgid", "msgid_plural", "msgstr": {n: text}}."""
    entries = []
    text = path.read_text(encoding="utf-8")
    line_number = 1
    for block in re.split(r"\n[ \t]*\n", text):
        first_line, line_number = line_number, line_number + block.count("\n") + 2
        entry: dict = {"line": first_line, "flags": set(), "msgstr": {}}
        parts: dict[tuple, list[str]] = {}
        key = None
        for offset, raw in enumerate(block.splitlines()):
            line = raw.strip()
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif not line or line.startswith("#"):
                continue  # comments, references, obsolete entries
            elif line.startswith('"'):
                if key is None:
                    raise ValueError(f"{path}:{first_line + offset}: continuation line outside an entry")
                parts[key].append(ast.literal_eval(line))
            else:
                keyword, _space, value = line.partition(" ")
                match = re.fullmatch(r"(msgctxt|msgid|msgid_plural|msgstr)(?:\[(\d+)\])?", keyword)
                if match is None:
                    raise ValueError(f"{path}:{first_line + offset}: unexpected line {raw!r}")
                if keyword == "msgid":
                    entry["line"] = first_line + offset
                key = (match[1], int(match[2] or 0))
                parts[key] = [ast.literal_eval(value)]
        if ("msgid", 0) not in parts:
            continue
        for (name, index), pieces in parts.items():
            if name == "msgstr":
                entry["msgstr"][index] = "".join(pieces)
            else:
                entry[name] = "".join(pieces)
        if entry["msgid"] or entry.get("msgctxt"):
            entries.append(entry)
    return entries


_PARSED: dict[Path, list[dict]] = {}


def entries_of(po_file: Path) -> list[dict]:
    assert po_file.exists(), f"{po_file} is missing.\n{HOW_TO_UPDATE}"
    if po_file not in _PARSED:
        _PARSED[po_file] = parse_po(po_file)
    return _PARSED[po_file]


def _is_translated(entry: dict) -> bool:
    return "fuzzy" not in entry["flags"] and all(text.strip() for text in entry["msgstr"].values())


def _describe(po_file: Path, entry: dict) -> str:
    context = f" (context {entry['msgctxt']!r})" if entry.get("msgctxt") else ""
    return f"  {po_file.relative_to(ROOT)}:{entry['line']}: {entry['msgid']!r}{context}"


def test_the_project_catalogue_is_found():
    assert CATALOGUES[0] == ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
    assert len(entries_of(CATALOGUES[0])) > 200  # the parser read the catalogue, not an empty file


@pytest.mark.parametrize("po_file", CATALOGUES, ids=CATALOGUE_IDS)
def test_every_catalogue_entry_is_translated_and_not_fuzzy(po_file):
    entries = entries_of(po_file)
    untranslated = [e for e in entries if not all(text.strip() for text in e["msgstr"].values())]
    fuzzy = [e for e in entries if "fuzzy" in e["flags"]]

    problems = []
    if untranslated:
        problems.append(f"{len(untranslated)} entr(ies) have no English translation (empty msgstr):")
        problems += [_describe(po_file, e) for e in untranslated]
    if fuzzy:
        problems.append(
            f"{len(fuzzy)} entr(ies) are marked fuzzy (a guessed translation that gettext ignores):"
        )
        problems += [_describe(po_file, e) for e in fuzzy]
    assert not problems, "\n".join(problems) + "\n" + HOW_TO_UPDATE


PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")


@pytest.mark.parametrize("po_file", CATALOGUES, ids=CATALOGUE_IDS)
def test_translations_keep_the_placeholders(po_file):
    wrong = []
    for entry in entries_of(po_file):
        for index, text in entry["msgstr"].items():
            source = entry["msgid_plural"] if index and entry.get("msgid_plural") else entry["msgid"]
            expected = sorted(PLACEHOLDER.findall(source))
            if text and sorted(PLACEHOLDER.findall(text)) != expected:
                wrong.append(
                    f"{_describe(po_file, entry)} needs exactly {expected}, the English has {text!r}"
                )
    assert not wrong, "Placeholders must be copied unchanged into the translation:\n" + "\n".join(wrong)


# The gettext functions whose literal arguments makemessages extracts, by argument layout.
SINGULAR = {"_", "gettext", "gettext_lazy", "gettext_noop"}
PLURAL = {"ngettext", "ngettext_lazy"}
CONTEXT = {"pgettext", "pgettext_lazy"}
CONTEXT_PLURAL = {"npgettext", "npgettext_lazy"}


def _message(name: str, args: list) -> tuple | None:
    """(msgctxt, msgid) for a gettext call with literal arguments, else None."""
    if any(not isinstance(arg, str) for arg in args):
        return None
    if name in SINGULAR and args:
        return (None, args[0])
    if name in PLURAL and len(args) >= 2:
        return (None, args[0])
    if name in (CONTEXT | CONTEXT_PLURAL) and len(args) >= 2:
        return (args[0], args[1])
    return None


def _python_messages(source: str) -> set[tuple]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name in SINGULAR | PLURAL | CONTEXT | CONTEXT_PLURAL:
                literal = [a.value if isinstance(a, ast.Constant) else a for a in node.args[:3]]
                needed = 1 if name in SINGULAR else 2
                if message := _message(name, literal[:needed]):
                    found.add(message)
    return found


STRING = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
TEMPLATE_CALL = re.compile(rf"\b(_|gettext|ngettext|pgettext|npgettext)\(\s*({STRING}(?:\s*,\s*{STRING})*)")


def _template_messages(source: str, origin: str) -> set[tuple]:
    found = set()
    for match in TEMPLATE_CALL.finditer(templatize(source, origin)):
        args = list(ast.literal_eval(f"({match[2]},)"))
        if message := _message(match[1], args):
            found.add(message)
    return found


def source_messages() -> list[tuple[Path, str | None, str]]:
    """Every (file, msgctxt, msgid) that makemessages would extract from the project."""
    found = []
    for dirpath, _dirnames, filenames in _project_walk():
        for filename in filenames:
            path = dirpath / filename
            if path.suffix == ".py":
                messages = _python_messages(path.read_text(encoding="utf-8"))
            elif path.suffix in {".html", ".txt"}:
                messages = _template_messages(path.read_text(encoding="utf-8"), str(path))
            else:
                continue
            found += [(path, context, msgid) for context, msgid in sorted(messages, key=str)]
    return found


def test_every_string_in_the_code_is_translated_in_its_catalogue():
    translated = {
        po_file: {(e.get("msgctxt") or None, e["msgid"]) for e in entries_of(po_file) if _is_translated(e)}
        for po_file in CATALOGUES
    }
    found = source_messages()
    assert len(found) > 200  # the scan found the project's strings

    missing = [
        f"  {path.relative_to(ROOT)}: {msgid!r}"
        + (f" (context {context!r})" if context else "")
        + f" -> {catalogue_for(path).relative_to(ROOT)}"
        for path, context, msgid in found
        if (context, msgid) not in translated[catalogue_for(path)]
    ]
    assert not missing, (
        f"{len(missing)} user-facing string(s) in the code have no English translation in their catalogue:\n"
        + "\n".join(missing)
        + "\n"
        + HOW_TO_UPDATE
    )


def test_gettext_is_imported_under_names_makemessages_sees():
    """makemessages (xgettext) finds strings by the function's name: `_`, `gettext_lazy`, `pgettext` …
    A string passed to an alias such as `gettext_lazy as _lazy` is never extracted, so never translated."""
    keywords = SINGULAR | PLURAL | CONTEXT | CONTEXT_PLURAL
    hidden = []
    for dirpath, _dirnames, filenames in _project_walk():
        for filename in filenames:
            if not filename.endswith(".py"):
                continue
            path = dirpath / filename
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                    hidden += [
                        f"  {path.relative_to(ROOT)}:{node.lineno}: {alias.name} as {alias.asname}"
                        for alias in node.names
                        if alias.name in keywords and alias.asname and alias.asname not in keywords
                    ]
    assert not hidden, (
        "makemessages cannot see strings passed to these aliases of the gettext functions; import them as "
        "`_` or under their own names (e.g. `from django.utils.translation import gettext_lazy`), then run "
        "the steps below:\n" + "\n".join(hidden) + "\n" + HOW_TO_UPDATE
    )


@pytest.mark.parametrize("po_file", CATALOGUES, ids=CATALOGUE_IDS)
def test_compiled_catalogue_matches_the_po_file(po_file):
    mo_file = po_file.with_suffix(".mo")
    assert mo_file.exists(), f"{mo_file.relative_to(ROOT)} is missing: run compilemessages.\n{HOW_TO_UPDATE}"
    with mo_file.open("rb") as handle:
        compiled = gettext_module.GNUTranslations(handle)

    stale = []
    for entry in entries_of(po_file):
        if not _is_translated(entry):
            continue  # reported by test_every_catalogue_entry_is_translated_and_not_fuzzy
        context, msgid, plural = entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural")
        for index, expected in entry["msgstr"].items():
            if plural:
                count = 1 if index == 0 else 2
                actual = (
                    compiled.npgettext(context, msgid, plural, count)
                    if context
                    else compiled.ngettext(msgid, plural, count)
                )
            else:
                actual = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
            if actual != expected:
                stale.append(f"{_describe(po_file, entry)}: the .mo has {actual!r}, the .po has {expected!r}")
    assert not stale, (
        f"{mo_file.relative_to(ROOT)} is out of date with its django.po (step 3 was skipped):\n"
        + "\n".join(stale)
        + "\n"
        + HOW_TO_UPDATE
    )
