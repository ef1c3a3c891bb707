"""The input rulebook every request body shares (query, path, headers: input_guard.py).

Every request model derives from StrictModel (tests/test_input_rules.py walks the route table
to keep it so): unknown fields refused, whitespace stripped, no NUL in any text, a default
length limit on every string that a field's own `max_length` overrides, and every date and
instant within the years the service counts in (`Instant` and `Day` carry the same rule for
query and path parameters). A partial update derives from PatchModel, where a field sent as
`null` is refused unless the model says null clears it.
"""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

# Longest text a string field takes when it sets no limit of its own.
DEFAULT_MAX_STR = 2_000
NUL_MESSAGE = "Text must not contain U+0000."


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


# Dates and instants a request may carry: before any complaint this service holds and long
# before the calendar's arithmetic runs out of years (a deadline 60 working days after
# 9999-12-30, a report month after 9999-12, an instant of year 1 at +14:00 in UTC: each was a 500).
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
RANGE_MESSAGE = f"Dates lie between {EARLIEST} and {LATEST}."


def _out_of_range(value: Any) -> bool:
    if isinstance(value, date):  # a datetime is a date too; its own calendar day is compared
        return not EARLIEST <= (value.date() if isinstance(value, datetime) else value) <= LATEST
    if isinstance(value, list):
        return any(_out_of_range(item) for item in value)
    return False


def in_range(value: Any) -> Any:
    if _out_of_range(value):
        raise PydanticCustomError("date_range", RANGE_MESSAGE)
    return value


# For query and path parameters; body fields get the rule from StrictModel.
Instant = Annotated[AwareDatetime, AfterValidator(in_range)]
Day = Annotated[date, AfterValidator(in_range)]


def field_rule(field: str, message: str) -> PydanticCustomError:
    """A model-level failure that names the field to blame (errors.py puts it in `loc`)."""
    return PydanticCustomError("field_rule", message, {"field": field})


class StrictModel(BaseModel):
    """Unknown fields refused, whitespace stripped, bounded strings, no NUL character in text,
    dates and instants in range."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, str_max_length=DEFAULT_MAX_STR
    )

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold U+0000: refused here as a 422, not a 500 from the driver.
        if _has_nul(value):
            raise PydanticCustomError("nul_character", NUL_MESSAGE)
        return in_range(value)


def _drop_null(schema: dict[str, Any], model: type[BaseModel]) -> None:
    # The OpenAPI says what the validator does: only the clearable fields take null.
    clearable: frozenset[str] = getattr(model, "clearable", frozenset())
    for name, prop in schema.get("properties", {}).items():
        options = prop.get("anyOf")
        if name in clearable or not options:
            continue
        kept = [o for o in options if o.get("type") != "null"]
        if len(kept) == 1:
            del prop["anyOf"]
            prop.update(kept[0])
        else:
            prop["anyOf"] = kept
        prop.pop("default", None)


class PatchModel(StrictModel):
    """A partial update: a field left out is kept; `null` clears it only if it is `clearable`."""

    model_config = ConfigDict(json_schema_extra=_drop_null)
    clearable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _null_only_where_clearable(self) -> "PatchModel":
        # A null that reached the database would break a NOT NULL column (a 500), or blank a
        # name; here it is a 422 naming the field.
        for name in sorted(self.model_fields_set - self.clearable):
            if getattr(self, name) is None:
                raise field_rule(name, f"{name} cannot be null; leave it out to keep it")
        return self


def _split_commas(value: Any) -> Any:
    if value is None:
        return None
    items: Iterable[Any] = value if isinstance(value, list) else [value]
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


# The one parser of list filters: `?status=a&status=b` and `?status=a,b` alike, each value then
# checked against the filter's enum (an unknown one is a 422, never a filter matching nothing).
# Use as `Annotated[list[Status] | None, CommaSeparated, Query()]`.
CommaSeparated = BeforeValidator(_split_commas)
