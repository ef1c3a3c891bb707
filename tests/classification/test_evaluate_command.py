"""`python -m app evaluate-routing` as a real process, and its CSV reader."""

import re
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.classification.evaluate_csv import CsvError, Row, infer_areas, read
from tests.test_cli import _cli

DATA = Path(__file__).parent / "data"


async def test_evaluate_routing_reports_on_the_corpus_and_leaves_nothing_behind(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    done = _cli(database_url, "evaluate-routing", "--csv", str(DATA / "complaints_ngawi.csv"))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "split: time (newest fifth held out)" in out
    assert "area offices (chosen by region): KEC-NGAWI 35.21.09\n" in out
    top1 = re.search(r"agency top-1: ([\d.]+)%\s+top-3: ([\d.]+)%", out)
    assert top1 is not None
    # The project's own corpus, hence optimistic: floors that catch a broken model.
    assert float(top1.group(1)) >= 80
    assert float(top1.group(2)) >= 95
    assert re.search(r"at threshold 0\.\d+: [\d.]+% to triage, precision among decided", out)
    assert "threshold  to triage  precision among decided" in out
    for code in ("DPUPR", "DISPENDUKCAPIL", "DINKES", "DINSOS", "DLH", "DISHUB", "KEC-NGAWI"):
        assert re.search(rf"^{code}\s+\d+\s", out, re.MULTILINE), code
    assert "most confused" in out
    assert "type right on 125" in out
    async with sessions() as session:
        left = await session.scalar(
            text("SELECT count(*) FROM jurisdictions WHERE code LIKE '99.%'")
        )
        models = await session.scalar(text("SELECT count(*) FROM routing_models"))
    assert left == 0
    assert models == 0


def test_bad_files_are_refused_with_what_is_wrong_and_where(tmp_path: Path) -> None:
    header = "text,agency_code,region_code,type,category_code,date\n"
    files = {
        "columns.csv": ("isi,dinas\nx,y\n", "needs the columns text and agency_code"),
        "date.csv": (header + "jalan rusak,DPUPR,,,,kemarin\n", "line 2: date 'kemarin'"),
        "type.csv": (header + "jalan rusak,DPUPR,,urgent,,\n", "line 2: unknown type 'urgent'"),
        "empty.csv": (header + ",DPUPR,,,,\n", "line 2: empty text or agency code"),
        "few.csv": (header + "jalan rusak,DPUPR,,,,\n" * 10, "10 complaints; at least 250"),
    }
    for name, (content, expected) in files.items():
        (tmp_path / name).write_text(content)
        with pytest.raises(CsvError, match=re.escape(expected)):
            read(str(tmp_path / name))
    (tmp_path / "latin1.csv").write_bytes(header.encode() + "caf\xe9,X,,,,\n".encode("latin-1"))
    with pytest.raises(CsvError, match="not UTF-8"):
        read(str(tmp_path / "latin1.csv"))


def test_the_command_says_in_one_line_what_is_wrong(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "date.csv").write_text("text,agency_code,date\njalan rusak,DPUPR,kemarin\n")
    for path, expected in [
        (tmp_path / "missing.csv", "no such file"),
        (tmp_path / "date.csv", "line 2: date 'kemarin' is not YYYY-MM-DD"),
    ]:
        done = _cli(database_url, "evaluate-routing", "--csv", str(path))
        assert done.returncode != 0
        assert done.stdout == ""
        assert done.stderr.strip() == f"error: {path}: {expected}"


def test_area_offices_are_inferred_by_code_or_by_where_their_complaints_are() -> None:
    def rows(agency: str, *regions: str | None) -> list[Row]:
        return [Row("x", agency, region, None, None) for region in regions]

    paron, dawu, geneng = "35.21.10.2001", "35.21.10.2006", "35.21.05.2003"
    found = infer_areas(
        rows("KEC-PARON", paron, dawu, geneng)  # coded: the kecamatan most are in
        + rows("KEL-DAWU", dawu, dawu, dawu, dawu, paron)  # 80% in one desa: that desa
        + rows("DESA-X", dawu, paron)  # 50%: only the kecamatan
        + rows("PKM-PARON", paron, dawu, paron, dawu, None)  # 4 of 5 in Paron: 80%
        + rows("DPUPR", paron, dawu, paron, geneng, None)  # 3 of 5: not an area office
        + rows("PKM-SINE", "35.21.01.2001", "35.21.01.2002")  # too few to tell
        + rows("KEC-NOWHERE", None, None)  # no region at all: nothing to serve
    )
    assert found == {
        "KEC-PARON": "35.21.10",
        "KEL-DAWU": dawu,
        "DESA-X": "35.21.10",
        "PKM-PARON": "35.21.10",
    }
