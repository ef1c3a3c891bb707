"""Raw SQL keeps to its own package's tables too, except where written down below.

import-linter (.importlinter, in `make lint`) sees only imports of another package's models;
a `text()` statement names tables in a string. This reads every SQL string in app/ for the
tables it reads or writes and checks each belongs to the module's own package.
"""

import re
from pathlib import Path

from app.models import Base

APP = Path(__file__).resolve().parents[2] / "app"

# (module, table): why it may touch another package's table in SQL.
EXCEPTIONS: dict[tuple[str, str], str] = {
    # The intake statement writes the complaint, its reporter, its first event and (through
    # the outbox's own INSERT_HEAD) the outbox rows in one SQL statement (the speed the
    # benchmarks measure) and checks the category.
    ("complaints/intake.py", "reporters"): "the intake statement",
    ("complaints/intake.py", "categories"): "the intake statement",
    # The duplicate search reads the reporter hashes' own indexes on the intake's hot path.
    ("complaints/duplicates.py", "reporters"): "the intake's duplicate search",
    # The routing evaluator (a CLI) writes a throw-away jurisdiction's history to train on.
    ("classification/evaluate_csv.py", "complaints"): "the evaluator's scratch history",
    ("classification/evaluate_csv.py", "sla_policies"): "the evaluator's scratch history",
    ("classification/evaluate_csv.py", "tracking_ids"): "the evaluator's scratch history",
}
_TOUCH = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+([a-z_]+)")


def _owners() -> dict[str, str]:
    """Each table's package, from where its ORM class is defined."""
    owners = {}
    for mapper in Base.registry.mappers:
        table = mapper.local_table.name
        owners[table] = mapper.class_.__module__.split(".")[1]
    return owners


def _touches() -> set[tuple[str, str]]:
    found = set()
    for path in APP.rglob("*.py"):
        for table in _TOUCH.findall(path.read_text()):
            found.add((path.relative_to(APP).as_posix(), table))
    return found


def test_raw_sql_touches_only_its_own_packages_tables() -> None:
    owners = _owners()
    crossing = {
        (module, table)
        for module, table in _touches()
        if table in owners and module.split("/")[0] != owners[table]
    }
    assert crossing - EXCEPTIONS.keys() == set()
    # An exception whose SQL is gone goes too, so the list says what is true today.
    assert EXCEPTIONS.keys() - crossing == set()
