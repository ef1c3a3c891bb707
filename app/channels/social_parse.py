"""Meta (WhatsApp, Messenger, Instagram) and X webhook bodies into messages. Pure.

Each parser returns the messages that can become complaints and what it set aside and why
(status and delivery receipts, echoes of our own replies, reactions, unsupported types), so the
caller can log them and still answer 200 as the providers require.
"""

from dataclasses import dataclass, field
from typing import Any

from app.kernel.errors import BadRequest


@dataclass(frozen=True)
class SocialMessage:
    platform: str  # whatsapp, facebook, instagram, x
    message_id: str
    sender_id: str
    text: str
    reply: dict[str, str]  # kind, via, in_reply_to: how to answer; no personal data
    sender_name: str | None = None
    phone: str | None = None  # WhatsApp ids are phone numbers


@dataclass
class Parsed:
    messages: list[SocialMessage] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def _malformed(message: str) -> BadRequest:
    return BadRequest(message, code="malformed_payload")


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _entries(body: Any, objects: tuple[str, ...]) -> tuple[str, list[dict[str, Any]]]:
    if not isinstance(body, dict) or body.get("object") not in objects:
        raise _malformed(f"Expected a webhook with object in {objects}.")
    entries = body.get("entry")
    if not isinstance(entries, list):
        raise _malformed("Expected an 'entry' list.")
    return str(body["object"]), [_obj(e) for e in entries]


def parse_whatsapp(body: Any) -> Parsed:
    out = Parsed()
    _, entries = _entries(body, ("whatsapp_business_account",))
    for entry in entries:
        for change in map(_obj, _list(entry.get("changes"))):
            value = _obj(change.get("value"))
            if change.get("field") != "messages":
                out.ignored.append(f"field:{change.get('field')}")
                continue
            out.ignored.extend("status" for _ in _list(value.get("statuses")))
            via = _str(_obj(value.get("metadata")).get("phone_number_id")) or ""
            names = {
                c.get("wa_id"): _str(_obj(c.get("profile")).get("name"))
                for c in map(_obj, _list(value.get("contacts")))
            }
            for m in map(_obj, _list(value.get("messages"))):
                kind = m.get("type")
                text = (
                    _str(_obj(m.get("text")).get("body"))
                    if kind == "text"
                    else _str(_obj(m.get(kind)).get("caption"))
                    if isinstance(kind, str)
                    else None
                )
                sender, mid = _str(m.get("from")), _str(m.get("id"))
                if not text or not sender or not mid or not sender.isdigit():
                    out.ignored.append(f"message:{kind}")
                    continue
                out.messages.append(
                    SocialMessage(
                        "whatsapp",
                        mid,
                        sender,
                        text,
                        {"kind": "whatsapp", "via": via},
                        names.get(sender),
                        "+" + sender,
                    )
                )
    return out


def parse_meta(body: Any) -> Parsed:
    """Messenger (object 'page') and Instagram (object 'instagram'): messages and comments."""
    out = Parsed()
    obj, entries = _entries(body, ("page", "instagram"))
    platform = "facebook" if obj == "page" else "instagram"
    kind = "messenger" if obj == "page" else "instagram"
    for entry in entries:
        owner = _str(entry.get("id")) or ""
        out.ignored.extend("standby" for _ in _list(entry.get("standby")))
        for ev in map(_obj, _list(entry.get("messaging"))):
            message = _obj(ev.get("message"))
            sender = _str(_obj(ev.get("sender")).get("id"))
            if not message:
                out.ignored.append(
                    next((k for k in ("delivery", "read", "reaction") if k in ev), "event")
                )
                continue
            text, mid = _str(message.get("text")), _str(message.get("mid"))
            if message.get("is_echo") or sender == owner:
                out.ignored.append("echo")
            elif not text or not mid or not sender:
                out.ignored.append("message:no_text")
            else:
                via = _str(_obj(ev.get("recipient")).get("id")) or owner
                out.messages.append(
                    SocialMessage(platform, mid, sender, text, {"kind": kind, "via": via})
                )
        for change in map(_obj, _list(entry.get("changes"))):
            value = _obj(change.get("value"))
            author = _obj(value.get("from"))
            sender = _str(author.get("id"))
            if change.get("field") == "comments":  # Instagram
                cid, text = _str(value.get("id")), _str(value.get("text"))
                name = _str(author.get("username"))
            elif change.get("field") == "feed" and value.get("verb") == "add":
                cid = _str(value.get("comment_id")) or _str(value.get("post_id"))
                text, name = _str(value.get("message")), _str(author.get("name"))
            else:
                out.ignored.append(f"field:{change.get('field')}")
                continue
            if not cid or not text or not sender or sender == owner:
                out.ignored.append("comment:skipped")
                continue
            out.messages.append(
                SocialMessage(
                    platform,
                    cid,
                    sender,
                    text,
                    {"kind": "comment", "via": owner, "in_reply_to": cid},
                    name,
                )
            )
    return out


def parse_x(body: Any) -> Parsed:
    """X Account Activity (legacy envelope) and the newer `data` envelope: mentions and DMs."""
    out = Parsed()
    if not isinstance(body, dict):
        raise _malformed("Expected a JSON object.")
    if isinstance(body.get("data"), dict):
        data = body["data"]
        me = _str(_obj(data.get("filter")).get("user_id"))
        post = _obj(data.get("payload"))
        pid, text, author = (
            _str(post.get("id")),
            _str(post.get("text")),
            _str(post.get("author_id")),
        )
        if data.get("event_type") != "post.create":
            out.ignored.append(f"event:{data.get('event_type')}")
        elif not pid or not text or not author or author == me:
            out.ignored.append("post:skipped")
        else:
            out.messages.append(
                SocialMessage("x", pid, author, text, {"kind": "x_mention", "in_reply_to": pid})
            )
        return out
    me = _str(body.get("for_user_id"))
    if me is None:
        raise _malformed("Expected 'for_user_id' or 'data'.")
    for tweet in map(_obj, _list(body.get("tweet_create_events"))):
        user = _obj(tweet.get("user"))
        author, tid = _str(user.get("id_str")), _str(tweet.get("id_str"))
        text = _str(_obj(tweet.get("extended_tweet")).get("full_text")) or _str(tweet.get("text"))
        if "retweeted_status" in tweet or not author or author == me or not tid or not text:
            out.ignored.append("tweet:skipped")
            continue
        out.messages.append(
            SocialMessage(
                "x",
                tid,
                author,
                text,
                {"kind": "x_mention", "in_reply_to": tid},
                _str(user.get("screen_name")),
            )
        )
    for dm in map(_obj, _list(body.get("direct_message_events"))):
        create = _obj(dm.get("message_create"))
        sender, did = _str(create.get("sender_id")), _str(dm.get("id"))
        text = _str(_obj(create.get("message_data")).get("text"))
        if dm.get("type") != "message_create" or not sender or sender == me or not did or not text:
            out.ignored.append("dm:skipped")
            continue
        out.messages.append(SocialMessage("x", did, sender, text, {"kind": "x_dm"}))
    known = {
        "for_user_id",
        "tweet_create_events",
        "direct_message_events",
        "users",
        "apps",
        "user_has_blocked",
    }
    out.ignored.extend(f"event:{k}" for k in body if k not in known)
    return out
