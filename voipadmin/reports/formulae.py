"""CSV formula neutralisation (OWASP CSV injection), one rule for the Python writer and the SQL of COPY.

A spreadsheet reads a cell as a formula when it starts with `=`, `+`, `-` or `@` (or their full-width
and small forms), and it skips blanks and invisible characters before looking: a leading space,
NBSP, U+3000, BOM, zero-width space, VT, FF or a bidi mark does not make `=HYPERLINK(...)` harmless.
Such a cell gets a leading `'`; so does any cell starting with tab, CR or LF. A plain number
(`+39028107575`, `-1.5`: an optional sign, ASCII digits, at most one decimal point) is no formula
and stays as it is, so E.164 numbers survive an export.
"""

import re
import sys
import unicodedata

QUOTE = "'"
ALWAYS = "\t\r\n"
FORMULA_STARTS = "=+-@\uff1d\uff0b\uff0d\uff20\ufe62\ufe63\ufe66"


def _skipped() -> str:
    """Every character a spreadsheet may pass over before the formula: Unicode white space and the
    invisible format characters (BOM, zero-width space and joiners, bidi marks, soft hyphen)."""
    return "".join(
        chr(code)
        for code in range(sys.maxunicode + 1)
        if chr(code).isspace() or unicodedata.category(chr(code)) == "Cf"
    )


SKIPPED = _skipped()


def _bracket(characters: str) -> str:
    """A regex bracket expression of literal characters, read alike by Python and PostgreSQL: `-`
    goes last; the characters that would need escaping in one of the two are not allowed."""
    if any(char in characters for char in "\\]^["):
        raise ValueError("a bracket of literals cannot hold \\ ] ^ [")
    return "[" + characters.replace("-", "") + ("-" if "-" in characters else "") + "]"


_NUMBER = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)"
# Anchored for PostgreSQL, whose `$` is the end of the text; Python's `fullmatch` says the same
# (its `$` would also match before a final newline).
PLAIN_NUMBER = f"^{_NUMBER}$"
FORMULA = "^" + _bracket(SKIPPED) + "*" + _bracket(FORMULA_STARTS)
_plain_number = re.compile(_NUMBER)
_formula = re.compile(FORMULA)


def neutralise(text: str | None) -> str:
    """The cell as written to CSV: '' for nothing, a leading quote where a spreadsheet sees a formula."""
    if not text:
        return ""
    if _plain_number.fullmatch(text):
        return text
    if text[0] in ALWAYS or _formula.match(text):
        return QUOTE + text
    return text


def _safe_first() -> tuple[bool, ...]:
    """For each ASCII code 1-127: no rule looks past a cell starting with it, so the cell is
    written as it is. Most cells start so (letters, digits, the `"` of a caller ID)."""
    looked_at = set(ALWAYS) | set(FORMULA_STARTS) | set(SKIPPED)
    return tuple(chr(code) not in looked_at for code in range(1, 128))


SAFE_FIRST = _safe_first()
# The same as a PostgreSQL array indexed by the first character's code: `SAFE_FIRST_SQL[ascii(v)]`
# is true, false or (an empty text, a character past ASCII) NULL, an index out of its bounds.
SAFE_FIRST_SQL = "'{" + ",".join("t" if safe else "f" for safe in SAFE_FIRST) + "}'::boolean[]"


def neutralise_sql(value_sql: str) -> tuple[str, list[str]]:
    """The SQL twin of `neutralise` over the text expression `value_sql` (a column reference: it is
    repeated), and the parameters it adds, in order.

    The first character's code (`ascii()`, no copy of the text) looked up in SAFE_FIRST_SQL settles
    most cells; only a cell starting otherwise (a sign, a blank, a non-ASCII character, nothing)
    meets the regexes.
    """
    sql = (
        f"CASE WHEN ({SAFE_FIRST_SQL})[ascii({value_sql})] THEN {value_sql} WHEN {value_sql} = '' THEN NULL "
        f"WHEN {value_sql} ~ %s THEN {value_sql} "
        f"WHEN left({value_sql}, 1) = ANY(%s) OR {value_sql} ~ %s THEN %s || {value_sql} "
        f"ELSE {value_sql} END"
    )
    return sql, [PLAIN_NUMBER, list(ALWAYS), FORMULA, QUOTE]
