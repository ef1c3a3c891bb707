"""A one-second run of each benchmark script, so a broken benchmark fails CI.

These assert that the scripts run and saw no error, never a speed: figures live in bench/.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench(server_url: str, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=240,
        env=os.environ | {"BENCH_DATABASE_URL": server_url, "LAPOR_LOG_LEVEL": "WARNING"},
        cwd=ROOT,
    )


def test_intake_benchmark_runs_both_apps_without_errors(server_url: str) -> None:
    done = _bench(
        server_url, "intake.py", "--seconds", "1", "--warmup", "0", "--connections", "2",
        "--client", "httpx", "--reporters", "same",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| service | 2 |" in done.stdout
    assert "| bare | 2 |" in done.stdout
    assert "service / bare = **" in done.stdout


def test_in_process_intake_benchmark_answers_every_request_201(server_url: str) -> None:
    done = _bench(server_url, "intake_cpu.py", "--requests", "16", "--reporters", "same")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "answers {201: 16}" in done.stdout
    assert "server CPU per request: **" in done.stdout


def test_webhook_benchmark_delivers_everything(server_url: str) -> None:
    done = _bench(
        server_url, "webhooks.py", "--count", "20", "--concurrency", "4", "--seconds", "60"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| 20 of 20 |" in done.stdout


def test_login_timing_benchmark_runs_every_case(server_url: str) -> None:
    done = _bench(server_url, "login_timing.py", "--rounds", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    for case in ("unknown username", "wrong password", "locked, right password"):
        assert f"| {case} |" in done.stdout


def test_text_benchmark_reads_every_corpus() -> None:
    done = _bench("", "text.py", "--texts", "10", "--repeat", "1")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| sms_holdout.csv | 151 |" in done.stdout
    assert "| complaints_ngawi.csv | 623 |" in done.stdout


def test_routing_benchmark_trains_and_predicts() -> None:
    done = _bench("", "routing.py", "--smoke")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "complaints: 2000, agencies: 35" in done.stdout
    assert "training (hold-out fit, evaluation, refit on all; agency and type):" in done.stdout
    assert "prediction with explanation, per complaint:" in done.stdout


def test_timer_benchmark_fires_every_due_timer(server_url: str) -> None:
    done = _bench(
        server_url, "timers.py", "--rows", "2000", "--due", "500", "--complaints", "5",
        "--seconds", "60",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| 500 of 500 |" in done.stdout
    assert "Index Scan using ix_outbox_messages_due" in done.stdout


def test_reports_benchmark_answers_every_report(server_url: str) -> None:
    done = _bench(server_url, "reports.py", "--complaints", "2000", "--rounds", "1")
    assert done.returncode == 0, done.stderr[-3000:]
    for label in ("summary / month", "agencies / year", "trend / year"):
        assert f"| {label} |" in done.stdout


def test_reads_benchmark_reads_through_both_apps_without_errors(server_url: str) -> None:
    done = _bench(
        server_url, "reads.py", "--complaints", "2000", "--connections", "2", "--seconds", "1",
        "--warmup", "0",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    for case in ("detail", "list", "list filtered", "list page 2"):
        assert f"| {case} | service |" in done.stdout
        assert f"| {case} | bare |" in done.stdout
        assert f"- {case}: service / twin = **" in done.stdout


def test_in_process_reads_benchmark_answers_every_read_200(server_url: str) -> None:
    done = _bench(
        server_url, "reads_cpu.py", "--complaints", "2000", "--requests", "16", "--rounds", "1"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for case in ("detail", "list", "list filtered"):
        assert f"| {case} | " in done.stdout
    assert "no figure" not in done.stdout
