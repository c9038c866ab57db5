"""Names stored in the database, for people: an organisation unit, a complaint category, a remedy, a
ladder level has its Chinese `name` and, where the model has one, an English `name_en` an administrator
fills in. A page in English shows the English name where one is stored, else the Chinese one: stored
texts have no translation table (the .po files translate the code's own words, not the data)."""

from django.utils.translation import get_language


def english_wanted() -> bool:
    return (get_language() or "").lower().startswith("en")


def name_for_people(obj, *, field: str = "name") -> str:
    """`obj.<field>` in the language of the request: `<field>_en` on English pages when it is filled."""
    if obj is None:
        return ""
    if english_wanted():
        english = getattr(obj, f"{field}_en", "") or ""
        if english.strip():
            return english
    return getattr(obj, field, "") or ""
