"""Input rules every request model shares."""

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

# For query parameters that reach SQL as text.
NO_NUL_PATTERN = r"^[^\x00]*$"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class StrictModel(BaseModel):
    """Unknown fields refused, whitespace stripped, and no NUL character in any text."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold U+0000: refused here as a 422, not a 500 from the driver.
        if _has_nul(value):
            raise PydanticCustomError("nul_character", "Text must not contain U+0000.")
        return value
