"""Place-name normalisation, the twin of the dbt macro ``normalise_place`` (macros/places.sql).

Region aliases are stored normalised and order addresses are normalised the same way before they
are looked up, so "Ar-Riyāḍ", "AR RIYAD" and "ar riyad" meet on one key. The two implementations
must agree character for character: tests/test_reference_normalise.py runs both on the same strings.

Steps:
1. lower case;
2. Latin letters with accents (Latin-1, Extended-A/B, Vietnamese) become their plain letter;
3. Arabic: tatweel and harakat removed; alef forms (أ إ آ ٱ) become ا, ى becomes ي, ة becomes ه;
4. the punctuation ``- _ . , ; : ' ’ ‘ ` " ( ) / \\ & # ،`` becomes a space;
5. runs of white space become one space, trimmed.
"""

from __future__ import annotations

import re
import unicodedata


def _accent_table() -> tuple[str, str]:
    src: list[str] = []
    dst: list[str] = []
    for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        if cp in (0x110, 0x111):
            base = "d"
        if cp in (0xD8, 0xF8):
            base = "o"
        if cp == 0xDF:
            continue
        if base.isascii() and base.isalpha() and ch != base:
            src.append(ch)
            dst.append(base.lower())
    return "".join(src), "".join(dst)


ACCENTED, PLAIN = _accent_table()
#: Arabic tatweel and harakat (removed), then letter forms folded together.
ARABIC_REMOVE = "\u0640" + "".join(chr(c) for c in range(0x064B, 0x0660)) + "\u0670"
ARABIC_FROM, ARABIC_TO = "أإآٱىة", "اااايه"
PUNCTUATION = "-_.,;:'’‘`\"()/\\&#،"

_TABLE = str.maketrans(
    ACCENTED + ARABIC_FROM + PUNCTUATION,
    PLAIN + ARABIC_TO + " " * len(PUNCTUATION),
    ARABIC_REMOVE,
)
_SPACES = re.compile(r"\s+")


def normalise_place(text: str | None) -> str | None:
    """The lookup form of a place name; None (or blank) stays None."""
    if text is None:
        return None
    out = _SPACES.sub(" ", text.lower().translate(_TABLE)).strip()
    return out or None
