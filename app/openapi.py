"""The OpenAPI document, generated from the code; openapi/openapi.json is its committed copy."""

import json
from typing import Any

from app.kernel.config import Settings
from app.main import create_app


def document() -> dict[str, Any]:
    return create_app(Settings(database_url="postgresql://unused/unused")).openapi()


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
