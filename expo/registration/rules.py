"""Pure registration rules: prices after vouchers, tax lines, voucher checks, CSV import."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def discount(price_minor: int, kind: str, value: int) -> int:
    """How much a voucher takes off one price (never more than the price)."""
    if kind == "free":
        return price_minor
    if kind == "percent":
        # Integer arithmetic, rounding half up: money is never a float.
        return min(price_minor, (price_minor * min(value, 100) + 50) // 100)
    if kind == "fixed":
        return min(price_minor, value)
    raise ValueError(f"unknown voucher kind {kind!r}")


def tax_of(total_minor: int, rate_bp: int, included: bool) -> int:
    """The tax in a total: rate in basis points; `included` means the total contains it."""
    if rate_bp <= 0 or total_minor <= 0:
        return 0
    if included:
        # total = net + net*rate  =>  tax = total*rate / (10000 + rate), rounded half up
        return (total_minor * rate_bp * 2 + (10000 + rate_bp)) // (2 * (10000 + rate_bp))
    return (total_minor * rate_bp + 5000) // 10000


def voucher_problem(*, now: datetime, valid_from: datetime | None, valid_until: datetime | None,
                    max_uses: int | None, used: int, pass_type_ids: list[int],
                    pass_type_id: int) -> tuple[str, str] | None:
    """(code, message) saying why a voucher cannot be used, or None."""
    if valid_from is not None and now < valid_from:
        return "voucher_not_yet_valid", "This voucher is not valid yet."
    if valid_until is not None and now > valid_until:
        return "voucher_expired", "This voucher has expired."
    if max_uses is not None and used >= max_uses:
        return "voucher_used_up", "This voucher has been used up."
    if pass_type_ids and pass_type_id not in pass_type_ids:
        return "voucher_wrong_pass", "This voucher is not valid for the chosen pass."
    return None


# ---------------------------------------------------------------- CSV import

IMPORT_COLUMNS = ("email", "full_name", "organisation", "job_title", "country", "pass_type")
REQUIRED_COLUMNS = ("email", "full_name", "pass_type")


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[ImportRow]
    errors: list[str]  # about the file as a whole

    @property
    def ok(self) -> bool:
        return not self.errors and all(not r.errors for r in self.rows) and bool(self.rows)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(1 for r in self.rows if r.errors)


def parse_import(data: bytes, pass_codes: set[str], taken_emails: set[str]) -> ImportReport:
    """Check a delegates CSV: UTF-8 (a byte-order mark is accepted), one row per person."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return ImportReport([], [f"The file is not UTF-8 text (byte {error.start}): save it "
                                 "as 'CSV UTF-8' and upload again."])
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        return ImportReport([], [f"Missing column(s): {', '.join(missing)}. Expected: "
                                 f"{', '.join(IMPORT_COLUMNS)}."])
    reader.fieldnames = headers
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(reader, start=2):
        values = {c: (raw.get(c) or "").strip() for c in IMPORT_COLUMNS}
        row = ImportRow(index, values)
        email = values["email"].lower()
        values["email"] = email
        if None in raw:
            row.errors.append("More values than columns.")
        if not EMAIL_RE.match(email):
            row.errors.append(f"'{values['email']}' is not a valid e-mail address.")
        elif email in seen:
            row.errors.append(f"Duplicate of row {seen[email]}.")
        elif email in taken_emails:
            row.errors.append("Already registered for this event.")
        seen.setdefault(email, index)
        if not values["full_name"]:
            row.errors.append("Full name is missing.")
        if values["pass_type"] not in pass_codes:
            row.errors.append(f"Unknown pass type '{values['pass_type']}'.")
        rows.append(row)
    if not rows:
        return ImportReport([], ["The file has no rows."])
    return ImportReport(rows, [])
