"""Provider payload shapes into messages, and what is set aside. Pure, no database."""

import json

import pytest

from app.channels.replies import MAX_REPLY_CHARS, event_message
from app.channels.social_parse import parse_meta, parse_whatsapp, parse_x
from app.kernel.errors import BadRequest
from tests.channels.conftest import FIXTURES


def test_whatsapp_doc_message_and_caption_and_receipts() -> None:
    body = json.loads((FIXTURES / "meta_doc_whatsapp_text_message.json").read_text())
    value = body["entry"][0]["changes"][0]["value"]
    value["messages"].append(
        {
            "from": "16505551234",
            "id": "wamid.IMG",
            "type": "image",
            "image": {"id": "media1", "caption": "Foto jalan rusak"},
        }
    )
    value["statuses"] = [{"id": "wamid.S", "status": "read"}]
    parsed = parse_whatsapp(body)
    assert [(m.message_id, m.text) for m in parsed.messages] == [
        (
            "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
            "Does it come in another color?",
        ),
        ("wamid.IMG", "Foto jalan rusak"),
    ]
    first = parsed.messages[0]
    assert (first.phone, first.sender_name, first.reply["via"]) == (
        "+16505551234",
        "Sheena Nelson",
        "106540352242922",
    )
    assert parsed.ignored == ["status"]


def test_facebook_feed_comment_and_own_page_post() -> None:
    body = {
        "object": "page",
        "entry": [
            {
                "id": "PAGE1",
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "item": "comment",
                            "verb": "add",
                            "comment_id": "P_C1",
                            "message": "Pelayanan KTP lambat",
                            "from": {"id": "U1", "name": "Budi"},
                        },
                    },
                    {
                        "field": "feed",
                        "value": {
                            "item": "status",
                            "verb": "add",
                            "post_id": "P_2",
                            "message": "Pengumuman",
                            "from": {"id": "PAGE1"},
                        },
                    },
                ],
            }
        ],
    }
    parsed = parse_meta(body)
    assert [(m.platform, m.message_id, m.reply["kind"]) for m in parsed.messages] == [
        ("facebook", "P_C1", "comment")
    ]
    assert parsed.ignored == ["comment:skipped"]


def test_x_activity_envelope_and_our_own_post() -> None:
    def env(author: str, event: str = "post.create") -> dict[str, object]:
        return {
            "data": {
                "event_uuid": "1",
                "filter": {"user_id": "111"},
                "event_type": event,
                "payload": {"id": "9", "text": "@NgawiLapor sampah", "author_id": author},
            }
        }

    assert [m.message_id for m in parse_x(env("222")).messages] == ["9"]
    assert parse_x(env("111")).messages == []
    assert parse_x(env("222", "follow.follow")).ignored == ["event:follow.follow"]


@pytest.mark.parametrize("body", [[], "x", {"object": "page"}, {"object": "page", "entry": {}}])
def test_meta_shapes_that_are_not_webhooks_are_malformed(body: object) -> None:
    with pytest.raises(BadRequest):
        parse_meta(body)


def test_x_without_an_envelope_is_malformed() -> None:
    with pytest.raises(BadRequest):
        parse_x({"tweet_create_events": []})


def test_a_long_officer_message_is_marked_and_points_to_the_rest() -> None:
    link = "https://lapor.example.go.id/lacak/LPR-ABCDE-FGHJK"
    short = event_message("responded", {"message": "Sudah diperbaiki."}, "LPR-ABCDE-FGHJK", link)
    assert short == "Pengaduan LPR-ABCDE-FGHJK telah ditanggapi: Sudah diperbaiki."
    long = event_message("responded", {"message": "kata " * 300}, "LPR-ABCDE-FGHJK", link)
    assert long is not None
    assert len(long) <= MAX_REPLY_CHARS
    assert long.endswith(f"… Selengkapnya: {link}")
