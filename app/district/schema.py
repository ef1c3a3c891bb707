"""The district file: one jurisdiction's set-up as YAML, checked before anything is written.

Every reference is by code (agencies, categories) or username, never by id, so the same file
sets up a fresh database and reads back from a running one (`export-district`). Field formats
are the API's own (`app/routing/schemas.py`); what the API checks against the database (an
agency that exists, a region of the jurisdiction) the same service functions check on apply.
"""

from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator

from app.jurisdictions.service import check_timezone
from app.kernel.errors import AppError
from app.kernel.validation import StrictModel
from app.routing.schemas import (
    AgencyKind,
    AreaCode,
    ChannelName,
    Code,
    ComplaintType,
    DecreeNumber,
    Email,
    Keyword,
    LiaisonRole,
    Name,
    Phone,
    RegionCode,
)

# Kemendagri codes: a province (53) or a kabupaten/kota (53.71).
JurisdictionCode = Annotated[str, Field(pattern=r"^\d{2}(\.\d{2})?$", max_length=5)]
Username = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^\S+$")]
PersonRole = Literal["admin", "supervisor", "liaison", "operator"]
MachineRole = Literal["citizen_app", "hub", "channel_gateway", "agency_system"]
MAX_ITEMS = 5_000


class JurisdictionEntry(StrictModel):
    code: JurisdictionCode
    name: Name
    timezone: Annotated[str, Field(max_length=64)]

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            return check_timezone(value)
        except AppError as exc:
            raise ValueError(exc.message) from None


class LiaisonEntry(StrictModel):
    """An appointment (SK): known by its role, the officer's name and its first day."""

    role: LiaisonRole
    name: Name
    decree_number: DecreeNumber | None = None
    valid_from: date
    valid_to: date | None = None
    email: Email | None = None
    phone: Phone | None = None


class AgencyEntry(StrictModel):
    code: Code
    name: Name
    kind: AgencyKind
    head_email: Email | None = Field(None, description="the kepala, told of overdue complaints")
    parent: Code | None = None
    region_code: AreaCode | None = None
    active: bool = True
    liaisons: Annotated[list[LiaisonEntry], Field(max_length=100)] = Field(default_factory=list)


class CategoryEntry(StrictModel):
    code: Code
    name: Name
    parent: Code | None = None
    default_agency: Code | None = None
    default_type: ComplaintType | None = None
    active: bool = True


class RuleEntry(StrictModel):
    """A routing rule, known by its name (unique in the file)."""

    name: Name
    position: Annotated[int, Field(ge=0, le=1_000_000)]
    agency: Code
    category: Code | None = None
    region_prefix: RegionCode | None = None
    keywords: Annotated[list[Keyword], Field(max_length=50)] = Field(default_factory=list)
    channel: ChannelName | None = None
    active: bool = True


class PersonEntry(StrictModel):
    """A person who logs in; the initial password is never in the file (see setup-district)."""

    username: Username
    role: PersonRole
    agency: Code | None = None
    display_name: Name | None = None
    email: Email | None = None


class ClientEntry(StrictModel):
    """A machine client, known by its name; its key is printed once when it is created."""

    name: Name
    role: MachineRole
    agency: Code | None = None


class District(StrictModel):
    jurisdiction: JurisdictionEntry
    agencies: Annotated[list[AgencyEntry], Field(max_length=MAX_ITEMS)] = Field(
        default_factory=list
    )
    categories: Annotated[list[CategoryEntry], Field(max_length=MAX_ITEMS)] = Field(
        default_factory=list
    )
    rules: Annotated[list[RuleEntry], Field(max_length=MAX_ITEMS)] = Field(default_factory=list)
    people: Annotated[list[PersonEntry], Field(max_length=MAX_ITEMS)] = Field(default_factory=list)
    clients: Annotated[list[ClientEntry], Field(max_length=MAX_ITEMS)] = Field(default_factory=list)


class DistrictFileError(Exception):
    """What is wrong with a district file: one line per problem, each naming its YAML path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def yaml_path(loc: Iterable[Any]) -> str:
    """`("agencies", 3, "code")` -> `agencies[3].code`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top)"


def parse(text: str) -> District:
    """The file's content as a District, or a DistrictFileError listing every problem."""
    try:
        raw = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise DistrictFileError([f"{where}not valid YAML: {exc.problem}"]) from None
    except yaml.YAMLError as exc:
        raise DistrictFileError([f"not valid YAML: {exc}"]) from None
    if not isinstance(raw, dict):
        raise DistrictFileError(["expected a mapping with a 'jurisdiction' key"])
    try:
        district = District.model_validate(raw)
    except ValidationError as exc:
        raise DistrictFileError(
            [f"{yaml_path(e['loc'])}: {message(e)}" for e in exc.errors()]
        ) from None
    problems = duplicates(district)
    if problems:
        raise DistrictFileError(problems)
    return district


def message(error: Any) -> str:
    """A Pydantic error as the line a person editing the file needs."""
    if error["type"] == "extra_forbidden":
        return "unknown field (passwords and keys never belong in this file)"
    if error["type"] == "string_type" and isinstance(error["input"], int | float):
        return f"write it in quotes ('{error['input']}'): unquoted, YAML reads it as a number"
    return str(error["msg"]).removeprefix("Value error, ")


def read(path: Path) -> District:
    """Read and check a district file (OSError when it cannot be read)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DistrictFileError(["not UTF-8 text"]) from None
    return parse(text)


def _repeated(
    items: list[Any], key: Callable[[Any], Hashable], where: str, field: str
) -> list[str]:
    seen = Counter(key(item) for item in items)
    return [
        f"{where}[{i}].{field}: {key(item)!s} appears more than once"
        for i, item in enumerate(items)
        if seen[key(item)] > 1
    ]


def duplicates(district: District) -> list[str]:
    """Keys that must be unique in the file: codes, names, usernames, appointments."""
    problems = [
        *_repeated(district.agencies, lambda a: a.code, "agencies", "code"),
        *_repeated(district.categories, lambda c: c.code, "categories", "code"),
        *_repeated(district.rules, lambda r: r.name, "rules", "name"),
        *_repeated(district.people, lambda p: p.username, "people", "username"),
        *_repeated(district.clients, lambda c: c.name, "clients", "name"),
    ]
    for i, agency in enumerate(district.agencies):
        problems += _repeated(
            agency.liaisons,
            lambda x: f"{x.role} {x.name} from {x.valid_from}",
            f"agencies[{i}].liaisons",
            "name",
        )
    return problems


def dump(district: District) -> str:
    """The file text: defaults left out, keys in the models' order, so exports compare equal."""
    text: str = yaml.safe_dump(
        district.model_dump(exclude_defaults=True),
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return text
