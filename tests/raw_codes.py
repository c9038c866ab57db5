"""What people must never see: the raw codes of the data model. Used by the tests that scan rendered
pages, e-mails and the timeline for them."""

import re
from html.parser import HTMLParser

from django.apps import apps

from complaintdesk.complaints.states import Status


def forbidden_tokens() -> frozenset[str]:
    """Snake_case field names and choice values (with an underscore) of every ComplaintDesk model, and
    the statuses."""
    tokens: set[str] = set(Status.values)
    for model in apps.get_models():
        if not model.__module__.startswith("complaintdesk."):
            continue
        for field in model._meta.get_fields():
            name = getattr(field, "name", "")
            if "_" in name.strip("_"):
                tokens.add(name)
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and "_" in value.strip("_"):
                    tokens.add(value)
    return frozenset(t for t in tokens if re.fullmatch(r"[a-z][a-z0-9_]*[a-z0-9]", t))


class _Text(HTMLParser):
    """The text a person sees: no tags, attributes, scripts or styles (nor the hidden CSRF inputs)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        attributes = dict(attrs)
        # What a person reads without the text: placeholders, titles, alt texts, aria labels, button values.
        for name in ("placeholder", "title", "alt", "aria-label"):
            if attributes.get(name):
                self.parts.append(attributes[name])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def raw_codes_in(text: str, tokens: frozenset[str] | None = None) -> list[str]:
    """The forbidden tokens that appear as words in `text` (ASCII word boundaries)."""
    tokens = tokens or forbidden_tokens()
    # A message template's placeholders ({case_number}) are what an administrator edits, not a code shown.
    text = re.sub(r"\{[a-z_]+\}", " ", text)
    words = set(re.findall(r"(?<![A-Za-z0-9_.@/-])[a-z][a-z0-9_]*[a-z0-9](?![A-Za-z0-9_@/-])", text))
    return sorted(words & tokens)
