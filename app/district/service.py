"""setup-district: bring one jurisdiction to what its file says, through the API's own services.

Each item is created when missing, updated (only the fields that differ) when it differs, and
left alone when it matches, so a second run changes nothing. Nothing is deleted: an agency,
category, rule or person leaves service with `active: false`, an appointment with `valid_to`.
The caller owns the transaction: it commits, or rolls back for a dry run, so a plan is exactly
what the real run would do, refusals included.
"""

import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import clients as machine_clients
from app.accounts import service as accounts
from app.district.schema import (
    AgencyEntry,
    CategoryEntry,
    District,
    DistrictFileError,
    message,
    yaml_path,
)
from app.district.state import State, load
from app.jurisdictions.service import create_jurisdiction, id_by_code, load_context
from app.kernel.errors import AppError, Conflict
from app.routing import categories, rules_service, schemas
from app.routing import service as routing

Action = Literal["create", "update", "unchanged"]
# The API's field names, as the file spells them.
FILE_FIELDS = {
    "agency_id": "agency",
    "parent_id": "parent",
    "default_agency_id": "default_agency",
    "category_id": "category",
}


@dataclass(frozen=True)
class Change:
    what: str  # "agency", "liaison", ...
    key: str
    action: Action
    fields: tuple[str, ...] = ()

    def line(self) -> str:
        changed = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{self.action:<9} {self.what} {self.key}{changed}"


@dataclass
class Outcome:
    changes: list[Change] = field(default_factory=list)
    secrets: list[tuple[str, str]] = field(default_factory=list)  # (whose, secret): shown once

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action == action)


PasswordFor = Callable[[str], str | None]


@contextmanager
def _at(path: str) -> Iterator[None]:
    """A refusal of the services while applying `path` becomes a problem naming that path."""
    try:
        yield
    except AppError as exc:
        fields = [FILE_FIELDS.get(d["field"], d["field"]) for d in exc.details if "field" in d]
        where = f"{path}.{fields[0]}" if fields else path
        raise DistrictFileError([f"{where}: {exc.message}"]) from None
    except ValidationError as exc:
        raise DistrictFileError(
            [
                f"{path}.{yaml_path(FILE_FIELDS.get(str(p), p) for p in e['loc'])}: {message(e)}"
                if e["loc"]
                else f"{path}: {message(e)}"
                for e in exc.errors()
            ]
        ) from None


def _differs(current: Any, desired: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in desired.items() if getattr(current, k) != v}


def _file_names(changed: dict[str, Any]) -> tuple[str, ...]:
    return tuple(FILE_FIELDS.get(k, k) for k in changed)


Entry = TypeVar("Entry", AgencyEntry, CategoryEntry)


def _parents_first(entries: list[Entry], where: str) -> list[tuple[int, Entry]]:
    """Entries ordered so a parent in the file comes before its children; a cycle is refused."""
    in_file = {e.code: i for i, e in enumerate(entries)}
    done: set[str] = set()
    order: list[tuple[int, Entry]] = []
    for i in range(len(entries)):
        chain: list[int] = []
        at: int | None = i
        while at is not None and entries[at].code not in done:
            if at in chain:
                raise DistrictFileError([f"{where}[{i}].parent: the parents form a cycle"])
            chain.append(at)
            parent = entries[at].parent
            at = in_file.get(parent) if parent else None
        for j in reversed(chain):
            order.append((j, entries[j]))
            done.add(entries[j].code)
    return order


def _unknown_references(district: District, state: State) -> list[str]:
    agencies = {a.code for a in district.agencies} | set(state.agencies)
    cats = {c.code for c in district.categories} | set(state.categories)
    problems: list[str] = []

    def check(path: str, code: str | None, known: set[str], what: str) -> None:
        if code is not None and code not in known:
            problems.append(f"{path}: no {what} {code} in the file or the database")

    for i, a in enumerate(district.agencies):
        check(f"agencies[{i}].parent", a.parent, agencies, "agency")
    for i, c in enumerate(district.categories):
        check(f"categories[{i}].parent", c.parent, cats, "category")
        check(f"categories[{i}].default_agency", c.default_agency, agencies, "agency")
    for i, r in enumerate(district.rules):
        check(f"rules[{i}].agency", r.agency, agencies, "agency")
        check(f"rules[{i}].category", r.category, cats, "category")
    for i, p in enumerate(district.people):
        check(f"people[{i}].agency", p.agency, agencies, "agency")
    for i, m in enumerate(district.clients):
        check(f"clients[{i}].agency", m.agency, agencies, "agency")
    return problems


def _one(rows: list[Any], path: str, what: str) -> Any:
    if len(rows) > 1:
        raise DistrictFileError(
            [f"{path}: {len(rows)} {what} of this name in the database; rename all but one"]
        )
    return rows[0] if rows else None


async def apply(
    session: AsyncSession,
    district: District,
    now: datetime,
    password_for: PasswordFor,
    progress: Callable[[], None] = lambda: None,
) -> Outcome:
    """Create or update every item of the file; raises DistrictFileError naming what is refused."""
    out = Outcome()
    jur = district.jurisdiction
    jurisdiction_id = await id_by_code(session, jur.code)
    if jurisdiction_id is None:
        with _at("jurisdiction"):
            made = await create_jurisdiction(session, jur.code, jur.name, jur.timezone)
        ctx = await load_context(session, made.id)
        out.changes.append(Change("jurisdiction", jur.code, "create"))
    else:
        ctx = await load_context(session, jurisdiction_id)
        differ = [f for f in ("name", "timezone") if getattr(ctx, f) != getattr(jur, f)]
        if differ:
            raise DistrictFileError(
                [
                    f"jurisdiction.{f}: {jur.code} has {getattr(ctx, f)!r}; setup-district "
                    "does not change an existing jurisdiction's name or time zone"
                    for f in differ
                ]
            )
        out.changes.append(Change("jurisdiction", jur.code, "unchanged"))
    progress()
    state = await load(session, ctx, now)
    problems = _unknown_references(district, state)
    if problems:
        raise DistrictFileError(problems)
    apply_ = _Apply(session, state, now, out, progress)
    await apply_.agencies(district.agencies)
    await apply_.categories(district.categories)
    await apply_.rules(district)
    await apply_.people(district, password_for)
    await apply_.clients(district)
    return out


@dataclass
class _Apply:
    session: AsyncSession
    state: State
    now: datetime
    out: Outcome
    progress: Callable[[], None]
    agency_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    category_ids: dict[str, uuid.UUID] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.agency_ids = {code: a.id for code, a in self.state.agencies.items()}
        self.category_ids = {code: c.id for code, c in self.state.categories.items()}

    def note(self, what: str, key: str, action: Action, fields: tuple[str, ...] = ()) -> None:
        self.out.changes.append(Change(what, key, action, fields))
        self.progress()

    def _agency(self, code: str | None) -> uuid.UUID | None:
        return self.agency_ids[code] if code else None

    async def agencies(self, entries: list[AgencyEntry]) -> None:
        ctx = self.state.ctx
        for i, e in _parents_first(entries, "agencies"):
            desired = {
                "name": e.name,
                "kind": e.kind,
                "parent_id": self._agency(e.parent),
                "active": e.active,
                "head_email": e.head_email,
                "region_code": e.region_code,
            }
            current = self.state.agencies.get(e.code)
            with _at(f"agencies[{i}]"):
                if current is None:
                    made = await routing.create_agency(
                        self.session, ctx, schemas.AgencyIn(code=e.code, **desired)
                    )
                    self.agency_ids[e.code] = made.id
                    self.note("agency", e.code, "create")
                elif changed := _differs(current, desired):
                    patch = schemas.AgencyPatch(**changed)
                    await routing.update_agency(self.session, ctx, current.id, patch, self.now)
                    self.note("agency", e.code, "update", _file_names(changed))
                else:
                    self.note("agency", e.code, "unchanged")
            await self._liaisons(i, e, self.agency_ids[e.code])

    async def _liaisons(self, i: int, agency: AgencyEntry, agency_id: uuid.UUID) -> None:
        existing = self.state.liaisons.get(agency_id, [])
        for j, e in enumerate(agency.liaisons):
            key = f"{agency.code}: {e.role} {e.name} from {e.valid_from}"
            current = next(
                (
                    r
                    for r in existing
                    if (r.role, r.name, r.valid_from) == (e.role, e.name, e.valid_from)
                ),
                None,
            )
            desired = e.model_dump(include={"decree_number", "valid_to", "email", "phone"})
            with _at(f"agencies[{i}].liaisons[{j}]"):
                if current is None:
                    body = schemas.LiaisonIn(**e.model_dump())
                    ctx = self.state.ctx
                    await routing.add_liaison(self.session, ctx, agency_id, body, self.now)
                    self.note("liaison", key, "create")
                elif changed := _differs(current, desired):
                    await routing.update_liaison(
                        self.session,
                        self.state.ctx,
                        agency_id,
                        current.id,
                        schemas.LiaisonPatch(**changed),
                        self.now,
                    )
                    self.note("liaison", key, "update", _file_names(changed))
                else:
                    self.note("liaison", key, "unchanged")

    async def categories(self, entries: list[CategoryEntry]) -> None:
        jid = self.state.ctx.id
        for i, e in _parents_first(entries, "categories"):
            desired = {
                "name": e.name,
                "parent_id": self.category_ids[e.parent] if e.parent else None,
                "default_agency_id": self._agency(e.default_agency),
                "default_type": e.default_type,
                "active": e.active,
            }
            current = self.state.categories.get(e.code)
            with _at(f"categories[{i}]"):
                if current is None:
                    body = schemas.CategoryIn(code=e.code, **desired)
                    self.category_ids[e.code] = (
                        await categories.create_category(self.session, jid, body)
                    ).id
                    self.note("category", e.code, "create")
                elif changed := _differs(current, desired):
                    patch = schemas.CategoryPatch(**changed)
                    await categories.update_category(self.session, jid, current.id, patch)
                    self.note("category", e.code, "update", _file_names(changed))
                else:
                    self.note("category", e.code, "unchanged")

    async def rules(self, district: District) -> None:
        jid = self.state.ctx.id
        for i, e in enumerate(district.rules):
            path = f"rules[{i}]"
            current = _one(self.state.rules.get(e.name, []), path, "rules")
            with _at(path):
                body = schemas.RuleIn(
                    name=e.name,
                    position=e.position,
                    agency_id=self.agency_ids[e.agency],
                    category_id=self.category_ids[e.category] if e.category else None,
                    region_prefix=e.region_prefix,
                    keywords=e.keywords,
                    channel=e.channel,
                    active=e.active,
                )
                if current is None:
                    await rules_service.create_rule(self.session, jid, body)
                    self.note("rule", e.name, "create")
                elif changed := _differs(current, body.model_dump()):
                    await rules_service.replace_rule(self.session, jid, current.id, body)
                    self.note("rule", e.name, "update", _file_names(changed))
                else:
                    self.note("rule", e.name, "unchanged")

    async def people(self, district: District, password_for: PasswordFor) -> None:
        jid = self.state.ctx.id
        for i, e in enumerate(district.people):
            desired: dict[str, Any] = {
                "role": e.role,
                "agency_id": self._agency(e.agency),
                "display_name": e.display_name or e.username,
                "email": e.email,
            }
            with _at(f"people[{i}]"):
                current = await accounts.person_by_username(self.session, e.username)
                if current is None:
                    password = password_for(e.username)
                    if password is None:
                        password = secrets.token_urlsafe(15)
                        self.out.secrets.append((f"password of {e.username}", password))
                    await accounts.create_user(self.session, jid, e.username, password, **desired)
                    self.note("person", e.username, "create")
                elif current.jurisdiction_id != jid:
                    raise Conflict(f"The username {e.username} belongs to another jurisdiction.")
                elif changed := _differs(current, desired):
                    await accounts.update_person(self.session, current, **desired)
                    self.note("person", e.username, "update", _file_names(changed))
                else:
                    self.note("person", e.username, "unchanged")

    async def clients(self, district: District) -> None:
        jid = self.state.ctx.id
        for i, e in enumerate(district.clients):
            path = f"clients[{i}]"
            current = _one(self.state.clients.get(e.name, []), path, "clients")
            agency_id = self._agency(e.agency)
            with _at(path):
                if current is None:
                    _, key = await machine_clients.create(
                        self.session, jid, e.name, e.role, agency_id
                    )
                    self.out.secrets.append((f"key of {e.name}", key.token))
                    self.note("client", e.name, "create")
                elif (current.role, current.agency_id) != (e.role, agency_id):
                    raise Conflict(
                        f"Client {e.name} exists with role {current.role}: a client's role and "
                        "agency stay; add a new client and revoke the old one's keys."
                    )
                else:
                    self.note("client", e.name, "unchanged")


def item_count(district: District) -> int:
    """How many items apply reports on (the progress bar's total)."""
    liaisons = sum(len(a.liaisons) for a in district.agencies)
    top = len(district.agencies) + len(district.categories) + len(district.rules)
    return 1 + liaisons + top + len(district.people) + len(district.clients)
