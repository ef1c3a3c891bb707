"""`python -m app evaluate-routing --csv FILE`: would learned routing work on our own history?

The file's complaints are split (by date when every row has one: the newest fifth is scored,
as it would be in service; else a stratified fifth), the training part is loaded as verified
history into a scratch jurisdiction inside one transaction, trained exactly as the service
trains, the held-out part is scored, and the transaction is rolled back: nothing stays.
"""

import csv
import secrets
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.classification import evaluation, retrain, service, store
from app.classification.rules import classify
from app.classification.text import normalize
from app.classification.training import MIN_HISTORY
from app.jurisdictions.service import create_jurisdiction
from app.kernel.clock import SystemClock
from app.routing.areas import spread
from app.routing.decision import threshold_of
from app.routing.models import Agency

AGENCY_COLUMNS = ("agency_code", "agency")
MAX_ROWS = 500_000


class CsvError(Exception):
    """A file that cannot be evaluated, said in one line."""


@dataclass(frozen=True)
class Row:
    text: str
    agency: str
    region_code: str | None
    type: str | None
    day: date | None


def read(path: str) -> list[Row]:
    """The rows of the file, or a `CsvError` naming what is wrong and where."""
    file = Path(path)
    if not file.is_file():
        raise CsvError(f"{path}: no such file")
    try:
        lines = file.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise CsvError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    reader = csv.DictReader(lines)
    columns = reader.fieldnames or []
    agency_column = next((c for c in AGENCY_COLUMNS if c in columns), None)
    if "text" not in columns or agency_column is None:
        found = ", ".join(columns) or "none"
        raise CsvError(f"{path}: needs the columns text and agency_code (found: {found})")
    rows: list[Row] = []
    try:
        for n, raw in enumerate(reader, start=2):
            body, agency = (raw.get("text") or "").strip(), (raw.get(agency_column) or "").strip()
            if not body or not agency:
                raise CsvError(f"{path}: line {n}: empty text or agency code")
            when = (raw.get("date") or "").strip()
            try:
                day = date.fromisoformat(when[:10]) if when else None
            except ValueError:
                raise CsvError(f"{path}: line {n}: date {when!r} is not YYYY-MM-DD") from None
            kind = (raw.get("type") or "").strip() or None
            if kind not in (None, "information", "non_field", "field_inspection"):
                raise CsvError(f"{path}: line {n}: unknown type {kind!r}")
            region = (raw.get("region_code") or "").strip() or None
            rows.append(Row(body[:10_000], agency[:50], region[:13] if region else None, kind, day))
            if len(rows) > MAX_ROWS:
                raise CsvError(f"{path}: more than {MAX_ROWS} rows")
    except csv.Error as exc:
        raise CsvError(f"{path}: malformed CSV: {exc}") from None
    if len(rows) < MIN_HISTORY * 5 // 4:
        raise CsvError(
            f"{path}: {len(rows)} complaints; at least {MIN_HISTORY * 5 // 4} "
            "are needed (a fifth is held out for scoring)"
        )
    return rows


def split(rows: Sequence[Row]) -> tuple[list[int], list[int], str]:
    """A time split when every row is dated, else stratified; (train, held out, how)."""
    idx = list(range(len(rows)))
    if all(r.day for r in rows):
        by_day = sorted(idx, key=lambda i: (rows[i].day, i))
        cut = len(by_day) * 4 // 5
        return by_day[:cut], by_day[cut:], "time (newest fifth held out)"
    labels = [r.agency for r in rows]
    counts = {a: labels.count(a) for a in set(labels)}
    strat = [a if counts[a] >= 2 else "_rare" for a in labels]
    train, held = train_test_split(idx, test_size=0.2, stratify=strat, random_state=0)
    return sorted(train), sorted(held), "stratified fifth held out"


AREA_CODE_PREFIXES = ("KEC-", "KEL-", "DESA-")
AREA_SHARE = 0.8
AREA_MIN_ROWS = 3


def infer_areas(rows: Sequence[Row]) -> dict[str, str]:
    """Which agencies of a file are area offices, and the area each serves (agency code -> code).

    The file says nothing of kinds, so: an agency coded `KEC-*`, `KEL-*` or `DESA-*` serves the
    kecamatan most of its complaints are in (a `KEL-`/`DESA-` one the desa, when at least 80%
    are in one); any other agency with at least 3 complaints of which at least 80% lie in one
    kecamatan serves that kecamatan. Only the rows given (the training part) are read.
    """
    by_agency: dict[str, list[str | None]] = {}
    for r in rows:
        by_agency.setdefault(r.agency, []).append(r.region_code)
    areas: dict[str, str] = {}
    for agency, regions in sorted(by_agency.items()):
        coded = [c for c in regions if c]
        named = agency.upper().startswith(AREA_CODE_PREFIXES)
        if not coded or not (named or len(coded) >= AREA_MIN_ROWS):
            continue
        kecamatan, n = Counter(".".join(c.split(".")[:3]) for c in coded).most_common(1)[0]
        desa, m = Counter(coded).most_common(1)[0]
        village = not agency.upper().startswith("KEC-") and desa.count(".") == 3
        if named and village and m >= AREA_SHARE * len(regions):
            areas[agency] = desa
        elif named or n >= AREA_SHARE * len(regions):
            areas[agency] = kecamatan
    return areas


# With its tracking number's row, as every complaint has one (app/complaints/models.py).
_INSERT = text(
    """
    WITH c AS (
        INSERT INTO complaints (id, jurisdiction_id, tracking_id, channel, channel_detail, text,
            region_code, received_at, status, type, agency_id, anonymous, confidential,
            attachments, policy_id, verification_due_at, verified_at, verify_days, routing,
            last_seq)
        VALUES (gen_random_uuid(), :j, :tracking, 'web', '{}', :text, :region, :at, 'closed',
            :type, :agency, false, false, '[]',
            (SELECT id FROM sla_policies WHERE jurisdiction_id = :j),
            :at, :at, 0, CAST('{"routed_by": "admin"}' AS jsonb), 1)
        RETURNING tracking_id, jurisdiction_id, id
    )
    INSERT INTO tracking_ids (tracking_id, jurisdiction_id, complaint_id) SELECT * FROM c
    """
)


async def load_history(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    rows: Sequence[Row],
    agencies: dict[str, Agency],
    now: datetime,
) -> None:
    """The rows as closed complaints an admin routed: history with a known final agency."""
    batch = secrets.token_hex(3)
    params = [
        {
            "j": jurisdiction_id,
            "tracking": f"EV{batch}-{n:06d}",
            "text": r.text,
            "region": r.region_code,
            # One microsecond apart in file order: history is read back in the same order,
            # so the same file always gives the same split and the same model.
            "at": (datetime(r.day.year, r.day.month, r.day.day, tzinfo=UTC) if r.day else now)
            + timedelta(microseconds=n),
            "type": r.type or "non_field",
            "agency": agencies[r.agency].id,
        }
        for n, r in enumerate(rows)
    ]
    if params:
        await session.execute(_INSERT, params)


async def run(session: AsyncSession, rows: list[Row]) -> dict[str, Any]:
    """Train on the training part in a scratch jurisdiction; score the held-out part."""
    train_idx, held_idx, how = split(rows)
    jur = await create_jurisdiction(
        session, f"99.{secrets.randbelow(10**6):06d}", "evaluate-routing scratch", "Asia/Jakarta"
    )
    areas = infer_areas([rows[i] for i in train_idx])
    agencies = {}
    for code in sorted({r.agency for r in rows}):
        agencies[code] = Agency(
            jurisdiction_id=jur.id,
            code=code,
            name=code,
            kind="kecamatan" if code in areas else "dinas",
            region_code=areas.get(code),
        )
    session.add_all(agencies.values())
    await session.flush()
    now = SystemClock().now()  # the command line is an edge: it reads the machine's clock
    await load_history(session, jur.id, [rows[i] for i in train_idx], agencies, now)
    version = await retrain.train(session, jur.id, now)
    loaded = await store.current(session, jur.id)
    if version is None or loaded is None:
        raise CsvError("the training part is too small or too uniform to learn from")
    agency = loaded.heads["agency"]
    codes = {str(a.id): code for code, a in agencies.items()}
    held = [rows[i] for i in held_idx]
    proba, labels = spread(
        np.vstack([agency.proba(normalize(r.text), r.region_code) for r in held]),
        agency.labels,
        [r.region_code for r in held],
        {str(agencies[code].id): area for code, area in areas.items()},
    )
    classes = [codes[label] for label in labels]
    threshold, _ = threshold_of(None, loaded)
    report = evaluation.evaluate([r.agency for r in held], proba, classes, threshold)
    typed = [r for r in held if r.type]
    served = [
        (await service.suggest(session, jur.id, r.text, None, r.region_code))[0].type.value
        for r in typed
    ]
    store.forget(jur.id)
    return {
        "rows": len(rows),
        "train": len(train_idx),
        "held_out": len(held_idx),
        "split": how,
        "areas": areas,
        "agency": report,
        "type_served": evaluation.accuracy([r.type or "" for r in typed], served),
        "type_rules": evaluation.accuracy(
            [r.type or "" for r in typed], [classify(r.text).type.value for r in typed]
        ),
        "typed": len(typed),
        "model_id": uuid.UUID(str(version["id"])),
    }


def render(result: dict[str, Any]) -> str:
    """The report as text for a terminal."""
    a = result["agency"]
    out = [
        f"complaints: {result['rows']} (trained on {result['train']}, scored on "
        f"{result['held_out']}; split: {result['split']})",
        "area offices (chosen by region): "
        + (", ".join(f"{a} {c}" for a, c in result["areas"].items()) or "none"),
        f"agency top-1: {a['top1']:.1%}   top-3: {a['top3']:.1%}",
        f"at threshold {a['threshold']:.2f}: {a['triage_rate']:.1%} to triage, "
        f"precision among decided {_pct(a['precision'])}",
        "",
        "threshold  to triage  precision among decided",
    ]
    out += [
        f"{t['threshold']:>9.2f}  {t['triage_rate']:>9.1%}  {_pct(t['precision']):>8}"
        for t in a["thresholds"]
    ]
    out += ["", f"{'agency':<24}{'n':>5}{'precision':>11}{'recall':>8}{'F1':>7}"]
    out += [
        f"{p['label'][:24]:<24}{p['support']:>5}{p['precision']:>11.1%}{p['recall']:>8.1%}"
        f"{p['f1']:>7.2f}"
        for p in a["per_label"]
    ]
    out += ["", "most confused (truth -> predicted: count)"]
    out += [f"  {c['truth']} -> {c['predicted']}: {c['count']}" for c in a["confused"]] or [
        "  none"
    ]
    if result["typed"]:
        out += [
            "",
            f"type right on {result['typed']}: as served {result['type_served']:.1%}, "
            f"rules alone {result['type_rules']:.1%}",
        ]
    return "\n".join(out)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"
