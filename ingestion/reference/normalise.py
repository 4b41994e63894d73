"""Place-name normalisation, the twin of the dbt macro ``normalise_place`` (macros/places.sql).

Region aliases are stored normalised and order addresses are normalised the same way before they
are looked up, so "Ar-Riyāḍ", "AR RIYAD" and "ar riyad" meet on one key. The two implementations
must agree character for character: tests/test_reference_data.py runs both on varied strings and on
every code point of the Latin, Arabic, Thai and punctuation blocks.

Steps:
1. lower case, one character at a time (Postgres ``lower()`` maps each character to one: "İ" is "i",
   and a final "Σ" is "σ"; Python's ``str.lower`` would give "i̇" and "ς");
2. removed: combining accents (decomposed text: "d" + U+0323), Arabic tatweel and harakat, and
   invisible format characters that copy-paste carries (soft hyphen, zero-width space and joiners,
   bidirectional marks, byte-order mark);
3. Latin letters with accents (Latin-1, Extended-A/B, Vietnamese) become their plain letter;
   Arabic alef forms (أ إ آ ٱ) become ا, ى and Persian ی become ي, ة becomes ه, Persian ک becomes ك;
4. punctuation (see ``PUNCTUATION``) and every Unicode space (tab, no-break space, ideographic
   space...) become a plain space;
5. runs of spaces become one space, trimmed; nothing left is None.

Only plain spaces are collapsed in step 5 because step 4 has already turned every other space into
one: Postgres's ``[[:space:]]`` does not include the no-break space, Python's ``\\s`` does.
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
#: Combining accents (text in decomposed form, "Z\u0327"), Arabic tatweel and harakat, and
#: invisible format characters: removed.
COMBINING = "".join(chr(c) for c in range(0x0300, 0x0370))
ARABIC_REMOVE = "\u0640" + "".join(chr(c) for c in range(0x064B, 0x0660)) + "\u0670"
INVISIBLE = (
    "\u00ad\u061c"
    + "".join(chr(c) for c in range(0x200B, 0x2010))
    + "".join(chr(c) for c in range(0x202A, 0x202F))
    + "".join(chr(c) for c in range(0x2060, 0x2065))
    + "".join(chr(c) for c in range(0x2066, 0x206A))
    + "\ufeff"
)
REMOVE = COMBINING + ARABIC_REMOVE + INVISIBLE
#: Arabic letter forms folded together.
ARABIC_FROM, ARABIC_TO = "أإآٱىیةک", "اااايي" + "هك"
PUNCTUATION = "-_.,;:'’‘`\"()/\\&#،؛؟!?[]{}|+*~<>«»“”„‚‹›–—‐‑‒―·•"
#: Every white space character Python or Postgres knows of, besides the plain space.
SPACES = (
    "\t\n\v\f\r\u0085\u00a0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)

_TABLE = str.maketrans(
    ACCENTED + ARABIC_FROM + PUNCTUATION + SPACES,
    PLAIN + ARABIC_TO + " " * (len(PUNCTUATION) + len(SPACES)),
    REMOVE,
)
_RUNS = re.compile(" +")


def _lower(text: str) -> str:
    """Lower case as Postgres does it: each character to one character (simple case mapping)."""
    return "".join(ch.lower()[:1] for ch in text)


def normalise_place(text: str | None) -> str | None:
    """The lookup form of a place name; None (or blank) stays None."""
    if text is None:
        return None
    out = _RUNS.sub(" ", _lower(text).translate(_TABLE)).strip(" ")
    return out or None
