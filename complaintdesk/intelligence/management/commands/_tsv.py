"""Reading `text<TAB>label` files (UTF-8, no header) for the training and evaluation commands."""

from pathlib import Path

from django.core.management.base import CommandError


def read_tsv(path: str) -> tuple[list[str], list[str]]:
    """Texts and labels; the label is after the last tab, so a text may itself contain tabs."""
    texts, labels = [], []
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"{path}: {error}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        text, tab, label = line.rpartition("\t")
        if not tab:
            raise CommandError(f"{path}:{number}: expected text<TAB>label")
        texts.append(text)
        labels.append(label.strip())
    return texts, labels
