"""Contact data taken out of a complaint's text before the public reads it: pure, no I/O.

Reporters write their own numbers into the text ("hubungi saya di 0812-3456-7890", "NIK saya
3521…") far more often than they fill the reporter fields, anonymous reporters included. The
tracking page, Open311 and every other read that anyone with a tracking number can make show the
text through `public_text`, so what the privacy rules keep out of the reporter fields does not
come back through the text. The stored text stays whole: the desk may need the number to call
back, and the staff reads are governed by the identity rules, not by this.

What counts: e-mail addresses; a NIK or Kartu Keluarga number (16 digits, spaces or dots between
groups allowed, shaped like one: a province code 11-94, then after the district a date whose day
is 01-31, or 41-71 in a woman's NIK, and whose month is 01-12); a telephone number, i.e. 9 to
14 digits starting with 0, 62 or +62, with the separators people type (spaces, dots, dashes,
brackets round an area code). Amounts ("Rp 150.000.000"), dates, RT/RW and house numbers do
not match.
"""

import re

EMAIL_MASK = "[email disembunyikan]"
NIK_MASK = "[NIK disembunyikan]"
PHONE_MASK = "[nomor telepon disembunyikan]"

# Starts only where a run of address characters starts, and reads each run once (possessive):
# no text makes either pattern backtrack (a 10,000-digit text took 2.3 s before).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+")
# A run of digits with the separators people put between groups; what it is depends on its digits.
_RUN = re.compile(r"\+?[\d(][\d\s.()\-]*+")
_SEPARATORS = " \t\r\n.()-"


def _shaped_like_nik(digits: str) -> bool:
    province, day, month = int(digits[:2]), int(digits[6:8]), int(digits[8:10])
    return 11 <= province <= 94 and (1 <= day <= 31 or 41 <= day <= 71) and 1 <= month <= 12


def _mask_number(match: re.Match[str]) -> str:
    text, start = match.string, match.start()
    run = match.group(0)
    body = run.rstrip(_SEPARATORS)  # a sentence's full stop or a closing bracket is not the number
    end = start + len(body)
    # "(3521…)": the opening bracket of a remark, not of an area code
    lead = "(" if body.startswith("(") and ")" not in body else ""
    tail = run[len(body) :]
    inside_a_word = (start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._")) or (
        end < len(text) and (text[end].isalnum() or text[end] == "_")
    )
    digits = re.sub(r"\D", "", body)
    if inside_a_word:
        return run
    if len(digits) == 16 and _shaped_like_nik(digits):
        return lead + NIK_MASK + tail
    if 9 <= len(digits) <= 14 and (digits.startswith(("0", "62")) or body.startswith("+")):
        return lead + PHONE_MASK + tail
    return run


def public_text(text: str | None) -> str | None:
    """`text` with e-mail addresses, NIK/KK numbers and telephone numbers masked."""
    if not text:
        return text
    return _RUN.sub(_mask_number, _EMAIL.sub(EMAIL_MASK, text))
