"""A case followed from the Ombudsman's letter to its last corrective action, over HTTP."""

import httpx

from tests.complaint_states import make_complaint
from tests.factories import World
from tests.ombudsman.conftest import CITIZEN, letter, make_case, step, upload


async def test_a_case_from_letter_to_last_corrective_action(
    client: httpx.AsyncClient, world: World
) -> None:
    complaint = await make_complaint(client, world, "dispatched")
    case = await make_case(client, world, citizen=CITIZEN, complaint_ids=[complaint])
    cid = case["id"]
    assert case["stage"] == "examination"
    assert case["citizen_disclosed"] is True
    assert case["complaint_ids"] == [complaint]
    assert case["policy_version"] == 0
    assert "citizen" not in case
    assert CITIZEN["name"] not in str(case)
    url = f"/v1/ombudsman-cases/{cid}"

    # A clarification request on the default clock (14 working days).
    asked = await client.post(
        f"{url}/clarifications",
        json={"description": "Mohon data permohonan PBG.", "reference": "B/130/III/2026"},
        headers=world.h("narahubung"),
    )
    assert asked.status_code == 201, asked.text
    clarification = step(asked.json(), "clarification")
    assert clarification["due_at"] == "2026-04-13T16:59:59.999999Z"
    assert asked.json()["next_due_at"] == clarification["due_at"]

    # The reported agency's liaison answers with data; another agency's liaison sees nothing.
    assert (await client.get(url, headers=world.h("liaison_other"))).status_code == 404
    data = await upload(client, world, "liaison")
    answered = await client.post(
        f"{url}/clarifications/{clarification['id']}/answer",
        json={"answer": "Berkas PBG terlampir.", "attachments": [data]},
        headers=world.h("liaison"),
    )
    assert answered.status_code == 200, answered.text
    done = step(answered.json(), "clarification")
    assert (done["state"], done["on_time"], done["attachments"]) == ("done", True, [data])
    again = await client.post(
        f"{url}/clarifications/{clarification['id']}/answer",
        json={"answer": "Lagi."},
        headers=world.h("liaison"),
    )
    assert again.status_code == 409
    assert (
        await client.get(f"/v1/attachments/{data}", headers=world.h("supervisor"))
    ).status_code == 200
    assert (
        await client.get(f"/v1/attachments/{data}", headers=world.h("liaison_other"))
    ).status_code == 404

    # A mediation meeting and its minutes.
    met = await client.post(
        f"{url}/meetings",
        json={
            "meeting_kind": "mediation",
            "description": "Mediasi pelapor dan DPUPR",
            "scheduled_at": "2026-03-27T09:00:00+07:00",
            "place": "Kantor Perwakilan",
        },
        headers=world.h("narahubung"),
    )
    assert met.status_code == 201, met.text
    meeting = step(met.json(), "meeting")
    assert meeting["due_at"] is None
    minutes = await client.post(
        f"{url}/meetings/{meeting['id']}/minutes",
        json={"minutes": "Disepakati PBG diterbitkan."},
        headers=world.h("narahubung"),
    )
    assert minutes.status_code == 200, minutes.text

    # The LAHP finds maladministration: two corrective actions, one for another agency.
    lahp = await client.post(
        f"{url}/lahp",
        json={
            "conclusion": "maladministration_found",
            "lahp_number": "LAHP-0042/2026",
            "corrective_actions": [
                {"description": "Terbitkan PBG pelapor.", "due_date": "2026-04-30"},
                {
                    "description": "Perbaiki SOP pelayanan.",
                    "owner_agency_id": str(world.agencies["DLH"]),
                },
            ],
        },
        headers=world.h("admin"),
    )
    assert lahp.status_code == 200, lahp.text
    assert lahp.json()["stage"] == "corrective_action"
    first, second = (
        step(lahp.json(), "corrective_action", 0),
        step(lahp.json(), "corrective_action", 1),
    )
    assert first["due_at"] == "2026-04-30T16:59:59.999999Z"  # the LAHP's own limit
    assert second["due_at"] == "2026-04-15T16:59:59.999999Z"  # 30 calendar days by default

    # The other agency's liaison now sees the case and acts on its own action only.
    assert (await client.get(url, headers=world.h("liaison_other"))).status_code == 200
    wrong = await client.post(
        f"{url}/corrective-actions/{first['id']}/progress",
        json={"note": "Bukan kami."},
        headers=world.h("liaison_other"),
    )
    assert wrong.status_code == 404
    noted = await client.post(
        f"{url}/corrective-actions/{second['id']}/progress",
        json={"note": "SOP sedang direvisi."},
        headers=world.h("liaison_other"),
    )
    assert noted.status_code == 200, noted.text
    assert step(noted.json(), "corrective_action", 1)["notes"][0]["note"] == "SOP sedang direvisi."
    no_evidence = await client.post(
        f"{url}/corrective-actions/{second['id']}/complete",
        json={"note": "Selesai.", "attachments": []},
        headers=world.h("liaison_other"),
    )
    assert no_evidence.status_code == 422
    evidence = await upload(client, world, "liaison_other")
    completed = await client.post(
        f"{url}/corrective-actions/{second['id']}/complete",
        json={"note": "SOP baru ditetapkan.", "attachments": [evidence]},
        headers=world.h("liaison_other"),
    )
    assert completed.status_code == 200, completed.text
    assert completed.json()["stage"] == "corrective_action"

    # A recommendation over the first action; its report is due in 60 calendar days.
    recommended = await client.post(
        f"{url}/recommendations",
        json={"description": "Laksanakan tindakan korektif.", "reference": "REK-7/2026"},
        headers=world.h("narahubung"),
    )
    assert recommended.status_code == 201, recommended.text
    assert recommended.json()["stage"] == "recommendation"
    recommendation = step(recommended.json(), "recommendation")
    assert recommendation["due_at"] == "2026-05-15T16:59:59.999999Z"
    reported = await client.post(
        f"{url}/recommendations/{recommendation['id']}/report",
        json={"report": "Rekomendasi dilaksanakan."},
        headers=world.h("liaison"),
    )
    assert reported.status_code == 200, reported.text
    assert reported.json()["stage"] == "corrective_action"

    permit = await upload(client, world, "liaison")
    last = await client.post(
        f"{url}/corrective-actions/{first['id']}/complete",
        json={"note": "PBG terbit.", "attachments": [permit]},
        headers=world.h("liaison"),
    )
    assert last.status_code == 200, last.text
    assert last.json()["stage"] == "closed"
    assert last.json()["closed_at"] is not None

    timeline = await client.get(f"{url}/events", headers=world.h("supervisor"))
    assert timeline.status_code == 200
    items = timeline.json()["items"]
    assert [e["seq"] for e in items] == list(range(1, len(items) + 1))
    assert [e["type"] for e in items] == [
        "received",
        "clarification_requested",
        "clarification_answered",
        "meeting_scheduled",
        "meeting_held",
        "lahp_received",
        "corrective_action_added",
        "corrective_action_added",
        "corrective_action_progress",
        "corrective_action_completed",
        "recommendation_received",
        "recommendation_reported",
        "corrective_action_completed",
        "closed",
    ]
    assert items[0]["data"]["routed_to"]["narahubung"] is True
    after = await client.post(
        f"{url}/clarifications", json={"description": "Lagi?"}, headers=world.h("narahubung")
    )
    assert after.status_code == 409


async def test_lahp_without_maladministration_closes_the_case(
    client: httpx.AsyncClient, world: World
) -> None:
    case = await make_case(client, world)
    lahp = await client.post(
        f"/v1/ombudsman-cases/{case['id']}/lahp",
        json={"conclusion": "maladministration_not_found", "lahp_number": "LAHP-1"},
        headers=world.h("narahubung"),
    )
    assert lahp.status_code == 200, lahp.text
    assert (lahp.json()["stage"], lahp.json()["conclusion"]) == (
        "closed",
        "maladministration_not_found",
    )


async def test_bad_letters_are_refused_with_the_field_named(
    client: httpx.AsyncClient, world: World
) -> None:
    await make_case(client, world)
    h = world.h("narahubung")
    duplicate = await client.post("/v1/ombudsman-cases", json=letter(world), headers=h)
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "letter_number_taken"
    other = await make_complaint(
        client, world, "received", "citizen_app_kupang", "KUPANG-PU", "admin_kupang"
    )
    foreign = await client.post(
        "/v1/ombudsman-cases", json=letter(world, "B/2", complaint_ids=[other]), headers=h
    )
    assert foreign.status_code == 422
    assert foreign.json()["error"]["code"] == "unknown_complaint"
    future = await client.post(
        "/v1/ombudsman-cases",
        json=letter(world, "B/3", received_at="2027-01-01T00:00:00+07:00"),
        headers=h,
    )
    assert future.status_code == 422
    wrong_agency = await client.post(
        "/v1/ombudsman-cases",
        json=letter(world, "B/4", agency_id=str(world.agencies["KUPANG-PU"])),
        headers=h,
    )
    assert wrong_agency.status_code == 422
