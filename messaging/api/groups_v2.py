"""Groups in the Sendblue dialect, as the official ``sendblue`` SDK calls them: a group's
participants (``GET /api/v2/groups/{group_id}``), its name (``POST .../name``) and
``POST /api/modify-group`` (``add_recipient``, and ``remove_recipient`` which Sendblue has
not shipped), and ``POST .../photo`` (the group chat's photo). A change is made on the
line's network first (``providers.base`` ``rename_group``/``change_group``/
``set_group_photo``); a line whose network has no such action answers 409 (BlueBubbles
has no group photos here: its photo is deleted at once, nothing is kept).
"""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from contacts.models import Contact
from messaging import media, services
from messaging.models import Conversation, Message
from messaging.validation import normalize_address
from outreach.exceptions import InvalidInput

from .sendblue import SendblueView

TAGS = ["groups (Sendblue)"]
MODIFY_TYPES = {"add_recipient": True, "remove_recipient": False}



def body_of(request) -> dict:
    if not isinstance(request.data, dict):
        raise InvalidInput("The body must be a JSON object.")
    return request.data


def optional_number(data: dict, name: str = "from_number") -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"{name} must be a phone number string.", field=name)
    return value or None


def photo_of(conversation: Conversation) -> dict | None:
    """The SDK's ``GroupPhoto``: the stored photo's id and its public URL."""
    photo = conversation.group_photo
    return {"photo_guid": str(photo.token), "url": media.public_url(photo)} if photo is not None else None


def group_data(conversation: Conversation) -> dict:
    """The SDK's ``GroupRetrieveResponse.data``: participants with their contacts, one query each."""
    contacts = {
        c.e164_number: c
        for c in Contact.objects.filter(account_id=conversation.account_id, e164_number__in=conversation.participants)
    }
    latest = (
        Message.objects.filter(conversation=conversation).order_by("-created_at", "-pk")
        .values("handle", "created_at").first()
    )
    participants = []
    for address in conversation.participants:
        contact = contacts.get(address)
        name = " ".join(filter(None, [contact.first_name, contact.last_name])) if contact else ""
        participants.append({
            "participant_id": f"{conversation.group_id}:{address}",
            "type": "contact",
            "handle": address,
            "phone": None if "@" in address else address,
            "contact_id": str(contact.pk) if contact else None,
            "name": name or None,
        })
    return {
        "group_id": conversation.group_id,
        "group_name": conversation.group_display_name,
        "group_photo": photo_of(conversation),
        "created_at": conversation.created_at,
        "updated_at": conversation.last_message_at or conversation.created_at,
        "latest_comm_at": latest["created_at"] if latest else None,
        "latest_message_id": str(latest["handle"]) if latest else None,
        "participant_numbers": [p["phone"] for p in participants if p["phone"]],
        "participants": participants,
        "worker_group_id": None,
        "sendblue_number": conversation.line.number,
    }


class GroupDetailV2(SendblueView):
    @extend_schema(operation_id="v2_groups_retrieve", tags=TAGS, responses=OpenApiTypes.OBJECT)
    def get(self, request, group_id: str):
        """The group's current participants (with their contacts), name and latest message."""
        return Response({"status": "OK", "data": group_data(services.find_group(self.account, group_id))})


class GroupNameV2(SendblueView):
    @extend_schema(operation_id="v2_groups_rename", tags=TAGS, request=OpenApiTypes.OBJECT,
                   responses=OpenApiTypes.OBJECT)
    def post(self, request, group_id: str):
        """Rename the group chat (``group_name``; null or "" clears it) from the line it lives on."""
        data = body_of(request)
        if "group_name" not in data:
            raise InvalidInput("group_name is required (null or \"\" clears the name).", field="group_name")
        conversation = services.rename_group(
            self.account, group_id, data["group_name"], from_number=optional_number(data)
        )
        return Response({"status": "OK", "data": {
            "group_id": conversation.group_id, "group_name": conversation.group_display_name,
            "from_number": conversation.line.number,
        }})


class GroupPhotoV2(SendblueView):
    @extend_schema(operation_id="v2_groups_set_photo", tags=TAGS, request=OpenApiTypes.OBJECT,
                   responses=OpenApiTypes.OBJECT)
    def post(self, request, group_id: str):
        """Set the group chat's photo from ``photo_url`` (JPEG, PNG or GIF, at most 5 MB; null
        clears it), from the line the group lives on."""
        data = body_of(request)
        if "photo_url" not in data:
            raise InvalidInput("photo_url is required (null clears the photo).", field="photo_url")
        conversation = services.set_group_photo(
            self.account, group_id, data["photo_url"], from_number=optional_number(data)
        )
        return Response({"status": "OK", "data": {
            "group_id": conversation.group_id, "group_photo": photo_of(conversation),
            "from_number": conversation.line.number,
        }})


class ModifyGroup(SendblueView):
    @extend_schema(operation_id="modify_group", tags=TAGS, request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        """Add a participant to a group (``modify_type: add_recipient``) or remove one
        (``remove_recipient``)."""
        data = body_of(request)
        problems = {}
        if not isinstance(data.get("group_id"), str) or not data["group_id"]:
            problems["group_id"] = "group_id is required: the group_id a group send returned."
        if data.get("modify_type") not in MODIFY_TYPES:
            problems["modify_type"] = "modify_type must be add_recipient or remove_recipient."
        if not isinstance(data.get("number"), str) or not data["number"]:
            problems["number"] = "number is required: the participant (E.164, or an Apple ID email)."
        else:
            try:
                number = normalize_address(data["number"], field="number")
            except InvalidInput as exc:
                problems["number"] = exc.message
        if problems:
            raise InvalidInput.of_fields(problems)
        conversation = services.modify_group(
            self.account, data["group_id"], add=MODIFY_TYPES[data["modify_type"]], number=number,
            from_number=optional_number(data),
        )
        return Response({
            "status": "OK", "group_id": conversation.group_id, "modify_type": data["modify_type"],
            "number": number, "participants": conversation.participants,
        })
