"""The rulebook's model rules on their own: default length, PATCH null, list filter parsing."""

from typing import Annotated, Literal

import pytest
from pydantic import Field, TypeAdapter, ValidationError

from app.kernel.validation import DEFAULT_MAX_STR, CommaSeparated, PatchModel, StrictModel


class Note(StrictModel):
    text: str
    long_text: Annotated[str, Field(max_length=DEFAULT_MAX_STR * 2)] = ""


class Change(PatchModel):
    clearable = frozenset({"email"})
    name: str | None = None
    email: str | None = None


def _fields(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {
        ".".join(map(str, e["loc"])) or e.get("ctx", {}).get("field", "")
        for e in exc.value.errors()
    }


def test_a_string_without_its_own_limit_gets_the_default_and_its_own_limit_wins() -> None:
    with pytest.raises(ValidationError) as exc:
        Note(text="x" * (DEFAULT_MAX_STR + 1))
    assert _fields(exc) == {"text"}
    assert len(Note(text="x", long_text="y" * (DEFAULT_MAX_STR + 1)).long_text) > DEFAULT_MAX_STR


def test_patch_refuses_null_where_not_clearable_and_keeps_left_out_fields_unset() -> None:
    with pytest.raises(ValidationError) as exc:
        Change.model_validate({"name": None})
    assert exc.value.errors()[0]["ctx"] == {"field": "name"}
    assert Change.model_validate({"email": None}).model_dump(exclude_unset=True) == {"email": None}
    assert Change.model_validate({}).model_dump(exclude_unset=True) == {}


def test_patch_schema_shows_null_only_for_clearable_fields() -> None:
    props = Change.model_json_schema()["properties"]
    assert props["name"]["type"] == "string"
    assert {"type": "null"} in props["email"]["anyOf"]


def test_list_filter_takes_repeated_and_comma_separated_values_and_refuses_unknown_ones() -> None:
    adapter = TypeAdapter(Annotated[list[Literal["a", "b", "c"]] | None, CommaSeparated])
    assert adapter.validate_python(["a,b", "c"]) == ["a", "b", "c"]
    assert adapter.validate_python([" a , b "]) == ["a", "b"]
    assert adapter.validate_python([""]) == []
    assert adapter.validate_python(None) is None
    with pytest.raises(ValidationError):
        adapter.validate_python(["a,z"])
