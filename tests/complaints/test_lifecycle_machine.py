"""Hypothesis state machines: the pure lifecycle table, then the real API on one complaint."""

import asyncio
import contextlib
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from app.complaints.lifecycle import (
    FINAL,
    TRANSITIONS,
    IllegalTransition,
    allowed_actions,
    next_status,
)
from app.complaints.permissions import allowed_for
from app.kernel.config import Settings
from app.kernel.db import make_engine, make_sessionmaker
from app.main import create_app
from tests.complaints.support import BASE
from tests.factories import World, make_world

STATUSES = (
    "received",
    "needs_info",
    "verified",
    "dispatched",
    "in_progress",
    "responded",
    "closed",
    "archived",
)
RESUME = "<status before needs_info>"

# The lifecycle of DOMAIN.md written out edge by edge, independently of app/complaints/lifecycle.
DOCUMENTED: dict[tuple[str, str], str] = {
    ("received", "verify"): "verified",
    ("received", "request_info"): "needs_info",
    ("received", "archive"): "archived",
    ("needs_info", "supply_info"): RESUME,
    ("needs_info", "archive"): "archived",
    ("needs_info", "expire_info"): "archived",
    ("needs_info", "extend"): "needs_info",
    ("verified", "dispatch"): "dispatched",
    ("verified", "request_info"): "needs_info",
    ("verified", "archive"): "archived",
    ("verified", "extend"): "verified",
    ("dispatched", "dispatch"): "dispatched",
    ("dispatched", "acknowledge"): "in_progress",
    ("dispatched", "transfer"): "dispatched",
    ("dispatched", "respond"): "responded",
    ("dispatched", "request_info"): "needs_info",
    ("dispatched", "extend"): "dispatched",
    ("in_progress", "transfer"): "dispatched",
    ("in_progress", "respond"): "responded",
    ("in_progress", "request_info"): "needs_info",
    ("in_progress", "extend"): "in_progress",
    ("responded", "feedback_satisfied"): "closed",
    ("responded", "feedback_unsatisfied"): "in_progress",
    ("responded", "auto_close"): "closed",
}
WAITING_SOURCES = sorted(s for (s, a) in DOCUMENTED if a == "request_info")


class PureLifecycle(RuleBasedStateMachine):
    """Random actions from random statuses against the pure table."""

    status = "received"
    resume: str | None = None

    @initialize(status=st.sampled_from(STATUSES), resume=st.sampled_from(WAITING_SOURCES))
    def start(self, status: str, resume: str) -> None:
        self.status = status
        self.resume = resume if status == "needs_info" else None

    @rule(action=st.sampled_from(sorted(TRANSITIONS)))
    def act(self, action: str) -> None:
        expected = DOCUMENTED.get((self.status, action))
        if expected is None:
            with pytest.raises(IllegalTransition) as caught:
                next_status(action, self.status, self.resume)
            assert caught.value.status == self.status
            return
        landed = next_status(action, self.status, self.resume)
        if expected == RESUME:
            expected, self.resume = self.resume or "", None
        elif expected == "needs_info" and self.status != "needs_info":
            self.resume = self.status
        assert landed == expected
        self.status = landed

    @invariant()
    def allowed_actions_are_exactly_the_documented_ones(self) -> None:
        documented = {a for (s, a) in DOCUMENTED if s == self.status}
        assert set(allowed_actions(self.status)) == documented
        if self.status in FINAL:
            assert documented == set()


TestPureLifecycle = PureLifecycle.TestCase
TestPureLifecycle.settings = settings(max_examples=150, stateful_step_count=20, deadline=None)


def test_supplying_info_without_a_status_to_return_to_is_illegal() -> None:
    with pytest.raises(IllegalTransition):
        next_status("supply_info", "needs_info", None)


# --- the real API, driven by random action sequences ------------------------------------------

# action -> (path, caller, body); None caller: the liaison of the complaint's current agency.
API_ACTIONS: dict[str, tuple[str, str | None, dict[str, Any] | None]] = {
    "verify": ("verify", "admin", {"type": "information"}),
    "request_info": ("request-info", "admin", {"message": "Mohon lengkapi alamat."}),
    "supply_info": ("info", "citizen_app", {"text": "Alamat: Jl. Beran 3."}),
    "archive": ("archive", "admin", {"reason": "unclear"}),
    "dispatch": ("dispatch", "admin", None),
    "acknowledge": ("acknowledge", None, None),
    "transfer": ("transfer", "admin", None),
    "respond": ("responses", "admin", {"message": "Sudah ditangani."}),
    "feedback_satisfied": ("feedback", "citizen_app", {"rating": 5, "satisfied": True}),
    "feedback_unsatisfied": ("feedback", "citizen_app", {"rating": 1, "satisfied": False}),
    "extend": ("extend", "admin", {"working_days": 2, "reason": "Perlu survei."}),
}
LIAISON_OF = {"DPUPR": "liaison", "DLH": "liaison_other"}
ENDINGS = frozenset({"archive", "feedback_satisfied"})


@dataclass
class Env:
    runner: asyncio.Runner
    client: httpx.AsyncClient
    world: World

    def run(self, coro: Any) -> Any:
        return self.runner.run(coro)


class ApiLifecycle(RuleBasedStateMachine):
    env: Env

    def __init__(self) -> None:
        super().__init__()
        self.cid = ""
        self.status = "received"
        self.resume: str | None = None
        self.agency: str | None = None
        self.seq = 1
        self.due_at: datetime | None = None

    def _get(self, path: str) -> dict[str, Any]:
        w = self.env.world
        response = self.env.run(self.env.client.get(path, headers=w.h("admin")))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    @initialize()
    def take_in(self) -> None:
        w = self.env.world
        created = self.env.run(
            self.env.client.post("/v1/complaints", json=BASE, headers=w.h("citizen_app"))
        )
        assert created.status_code == 201, created.text
        self.cid = created.json()["id"]

    def _legal(self, action: str) -> bool:
        try:
            next_status(action, self.status, self.resume)
        except IllegalTransition:
            return False
        return True

    @rule(data=st.data(), agency=st.sampled_from(sorted(LIAISON_OF)))
    def act(self, data: st.DataObject, agency: str) -> None:
        # Three times in four a legal action that does not end the story, so sequences get deep
        # into the lifecycle; otherwise any action at all, legal or not.
        onward = [a for a in sorted(API_ACTIONS) if self._legal(a) and a not in ENDINGS]
        if onward and data.draw(st.integers(0, 3), label="onward"):
            action = data.draw(st.sampled_from(onward), label="action")
        else:
            action = data.draw(st.sampled_from(sorted(API_ACTIONS)), label="action")
        self._act(action, agency)

    def _act(self, action: str, agency: str) -> None:
        w = self.env.world
        path, who, body = API_ACTIONS[action]
        if action == "dispatch":
            body = {"agency_id": str(w.agencies[agency])}
        if action == "transfer":
            other = "DLH" if self.agency == "DPUPR" else "DPUPR"
            body = {"agency_id": str(w.agencies[other]), "reason": "Bukan wewenang."}
        if who is None:
            who = LIAISON_OF[self.agency or "DPUPR"]
        try:
            target: str | None = next_status(action, self.status, self.resume)
        except IllegalTransition:
            target = None
        url = f"/v1/complaints/{self.cid}/{path}"
        response = self.env.run(self.env.client.post(url, json=body, headers=w.h(who)))

        if action == "acknowledge" and self.agency is None:
            # No agency yet: the liaison cannot even see it. The table must agree it is illegal.
            assert target is None
            assert response.status_code == 404, response.text
            return
        if action == "extend" and target is not None and self.due_at is None:
            # Waiting for information before verification: no deadline exists to extend.
            assert response.status_code == 409, response.text
            assert response.json()["error"]["code"] == "complaint_not_verified"
            return
        if target is None:
            assert response.status_code == 409, response.text
            assert response.json()["error"]["code"] == f"complaint_is_{self.status}"
            return
        assert response.status_code == 200, response.text
        if target == "needs_info" and self.status != "needs_info":
            self.resume = self.status
        if action == "supply_info":
            self.resume = None
        if action in {"dispatch", "transfer"}:
            self.agency = agency if action == "dispatch" else other
        self.status = target

    @invariant()
    def the_stored_complaint_matches_the_model(self) -> None:
        if not self.cid:
            return
        c = self._get(f"/v1/complaints/{self.cid}")
        assert c["status"] == self.status
        has_deadline = c["due_at"] is not None
        assert c["allowed_actions"] == allowed_for(self.status, "admin", has_deadline=has_deadline)
        assert (c["agency"] or {}).get("code") == self.agency
        # The clock: a deadline exactly when verified; paused exactly while waiting after that.
        assert (c["due_at"] is not None) == (c["verified_at"] is not None)
        assert c["paused"] == (self.status == "needs_info" and c["verified_at"] is not None)
        if c["due_at"] is not None:
            due = datetime.fromisoformat(c["due_at"])
            assert self.due_at is None or due >= self.due_at
            self.due_at = due
        events = self._get(f"/v1/complaints/{self.cid}/events?limit=200")["items"]
        seqs = [e["seq"] for e in events]
        assert seqs == list(range(1, len(seqs) + 1))
        assert len(seqs) >= self.seq
        self.seq = len(seqs)


async def _start(settings_: Settings, stack: contextlib.AsyncExitStack) -> tuple[Any, World]:
    app = create_app(settings_)
    await stack.enter_async_context(app.router.lifespan_context(app))
    client = await stack.enter_async_context(
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://desk.test")
    )
    engine = make_engine(settings_.database_url or "", pool_size=1, max_overflow=0)
    stack.push_async_callback(engine.dispose)
    async with make_sessionmaker(engine)() as session, session.begin():
        world = await make_world(session, settings_)
    return client, world


SETTINGS_FOR_API = settings(
    max_examples=25,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_api_follows_the_lifecycle_table(settings: Settings, engine: AsyncEngine) -> None:
    # Hypothesis drives the machine synchronously, so the app gets its own event loop in a
    # thread of its own (the session's loop belongs to the other tests' fixtures).
    failure: list[BaseException] = []

    def body() -> None:
        with asyncio.Runner() as runner:
            stack = contextlib.AsyncExitStack()
            try:
                client, world = runner.run(_start(settings, stack))
                ApiLifecycle.env = Env(runner, client, world)
                run_state_machine_as_test(ApiLifecycle, settings=SETTINGS_FOR_API)
            except BaseException as exc:
                failure.append(exc)
            finally:
                runner.run(stack.aclose())

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
