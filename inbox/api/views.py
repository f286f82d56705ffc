"""v1 conversations (as work items), their notes, labels and canned replies. Views check
shapes; ``inbox.services`` judges values and roles and writes."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from contacts.api.serializers import ErrorSerializer
from messaging.models import Conversation
from outreach.api.base import AccountScoped
from outreach.api.pagination import BadQuery
from outreach.choices import Family
from outreach.exceptions import InvalidInput, NotFound

from .. import services
from ..models import CannedReply, Label, Note
from ..policy import for_key, visible
from . import query
from .serializers import (
    BulkChangeSerializer,
    CannedReplySerializer,
    ConversationBulkResultSerializer,
    ConversationChangeSerializer,
    ConversationSerializer,
    LabelSerializer,
    NoteSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A bad query parameter (each one named)."),
    403: OpenApiResponse(ErrorSerializer, description="The key's scopes do not allow it."),
    404: OpenApiResponse(ErrorSerializer, description="Not found (or another account's)."),
    422: OpenApiResponse(ErrorSerializer, description="Validation failed; `errors` names every bad field."),
}
TAGS = ["conversations"]
RENDER_FOR = OpenApiParameter("conversation_id", int, description=(
    "Fill `rendered` with each reply as this conversation's contact would receive it."))


def checked(serializer_class, request, account, *, partial: bool = True):
    """-> (ids or None, the body's change), every bad field named at once: wrong types (the
    serializer's) and wrong values (the services') together."""
    serializer = serializer_class(data=request.data, partial=partial)
    valid = serializer.is_valid()
    typed = dict(serializer.validated_data) if valid else _typed(serializer, request.data)
    errors = {} if valid else dict(serializer.errors)
    ids = typed.pop("ids", None)
    change = None
    try:
        change = services.parse(account, typed)
    except InvalidInput as exc:
        errors.update(exc.field_errors)
    if errors:
        raise ValidationError(errors)
    if change.empty:
        raise ValidationError({"non_field_errors": ["Send at least one of assignee, state, snooze_until or labels."]})
    return ids, change


def _typed(serializer, data) -> dict:
    """The fields whose type was right, as the serializer reads them."""
    if not isinstance(data, dict):
        return {}
    out = {}
    for name, value in data.items():
        if name in serializer.fields and name not in serializer.errors:
            try:
                out[name] = serializer.fields[name].run_validation(value)
            except ValidationError:
                continue
    return out


class _Base(AccountScoped, generics.GenericAPIView):
    scope_family = Family.MESSAGES

    @property
    def actor(self):
        return for_key(self.request.auth)


class ConversationsView(_Base):
    serializer_class = ConversationSerializer
    queryset = Conversation.objects.none()  # the documentation's model; rows come from ``query``

    @extend_schema(tags=TAGS, parameters=query.PARAMETERS, responses={200: ConversationSerializer(many=True),
                                                                     400: ERRORS[400]})
    def get(self, request):
        """A page of conversations, newest activity first, with their work state."""
        page = self.paginate_queryset(query.conversations(request, self.actor))
        return self.get_paginated_response(ConversationSerializer(page, many=True).data)

    @extend_schema(tags=TAGS, operation_id="v1_conversations_bulk_update", request=BulkChangeSerializer, responses={200: ConversationBulkResultSerializer, 403: ERRORS[403],
                                                                       422: ERRORS[422]})
    def patch(self, request):
        """Bulk: assign, close, reopen, snooze or label every conversation in `ids` at once
        (all or nothing; an id of another account is named in `errors.ids`)."""
        ids, change = checked(BulkChangeSerializer, request, self.account, partial=False)
        ids = services.apply(self.account, ids, change, actor=self.actor)
        rows = query.with_work(Conversation.objects.filter(account=self.account, pk__in=ids)).order_by("pk")
        return Response({"updated": len(ids), "items": ConversationSerializer(rows, many=True).data})


class ConversationView(_Base):
    serializer_class = ConversationSerializer
    queryset = Conversation.objects.none()

    def conversation(self, pk: int) -> Conversation:
        found = query.with_work(visible(self.actor, Conversation.objects.filter(account=self.account, pk=pk))).first()
        if found is None:
            raise NotFound("No such conversation in this account.")
        return found

    @extend_schema(tags=TAGS, responses={200: ConversationSerializer, 404: ERRORS[404]})
    def get(self, request, pk: int):
        return Response(ConversationSerializer(self.conversation(pk)).data)

    @extend_schema(tags=TAGS, request=ConversationChangeSerializer,
                   responses={200: ConversationSerializer, 403: ERRORS[403], 404: ERRORS[404], 422: ERRORS[422]})
    def patch(self, request, pk: int):
        """Change only what is sent: assignee, state, snooze_until, labels (the whole set),
        add_labels, remove_labels."""
        self.conversation(pk)
        _, change = checked(ConversationChangeSerializer, request, self.account)
        services.apply(self.account, [pk], change, actor=self.actor, single=True)
        return Response(ConversationSerializer(self.conversation(pk)).data)


class NotesView(_Base):
    serializer_class = NoteSerializer
    queryset = Note.objects.none()

    @extend_schema(tags=TAGS, responses={200: NoteSerializer(many=True), 404: ERRORS[404]})
    def get(self, request, pk: int):
        """A conversation's internal notes, oldest first: staff read them, they are never sent."""
        page = self.paginate_queryset(services.notes_of(self.account, pk, actor=self.actor))
        return self.get_paginated_response(NoteSerializer(page, many=True).data)

    @extend_schema(tags=TAGS, request=NoteSerializer, responses={201: NoteSerializer, 404: ERRORS[404],
                                                                 422: ERRORS[422]})
    def post(self, request, pk: int):
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.add_note(self.account, pk, serializer.validated_data["body"], actor=self.actor)
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


class _LabelBase(_Base):
    serializer_class = LabelSerializer
    queryset = Label.objects.all()

    def judge(self, values: dict) -> dict:
        return services.label_errors(self.account, values)


class LabelsView(_LabelBase):
    @extend_schema(tags=["labels"], responses=LabelSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(LabelSerializer(page, many=True).data)

    @extend_schema(tags=["labels"], request=LabelSerializer, responses={201: LabelSerializer, 422: ERRORS[422]})
    def post(self, request):
        label = services.save_label(self.account, _body(request, LabelSerializer, self.judge), actor=self.actor)
        return Response(LabelSerializer(label).data, status=status.HTTP_201_CREATED)


class LabelView(_LabelBase):
    @extend_schema(tags=["labels"], responses={200: LabelSerializer, 404: ERRORS[404]})
    def get(self, request, pk: int):
        return Response(LabelSerializer(self.get_object()).data)

    @extend_schema(tags=["labels"], request=LabelSerializer,
                   responses={200: LabelSerializer, 404: ERRORS[404], 422: ERRORS[422]})
    def patch(self, request, pk: int):
        label = services.save_label(self.account, _body(request, LabelSerializer, self.judge, partial=True), actor=self.actor,
                                    label=self.get_object())
        return Response(LabelSerializer(label).data)

    @extend_schema(tags=["labels"], responses={204: None, 404: ERRORS[404]})
    def delete(self, request, pk: int):
        """Delete the label; the conversations carrying it lose it."""
        services.delete_label(self.account, self.get_object(), actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _CannedBase(_Base):
    serializer_class = CannedReplySerializer
    queryset = CannedReply.objects.all()

    def judge(self, values: dict) -> dict:
        return services.canned_errors(self.account, values)

    def rendering(self) -> dict:
        """``{"conversation": ...}`` when ``?conversation_id=`` names one the caller sees."""
        raw = self.request.query_params.get("conversation_id")
        if not raw:
            return {}
        found = raw.isdigit() and visible(self.actor, Conversation.objects.filter(
            account=self.account, pk=int(raw))).select_related("contact").first()
        if not found:
            raise BadQuery(f"conversation_id: no conversation {raw!r} in this account.")
        return {"conversation": found}


class CannedRepliesView(_CannedBase):
    @extend_schema(tags=["canned replies"], parameters=[RENDER_FOR], responses={
        200: CannedReplySerializer(many=True), 400: ERRORS[400]})
    def get(self, request):
        """The account's canned replies by shortcut; with `conversation_id`, each `rendered`
        for that conversation's contact."""
        context = self.rendering()
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CannedReplySerializer(page, many=True, context=context).data)

    @extend_schema(tags=["canned replies"], request=CannedReplySerializer,
                   responses={201: CannedReplySerializer, 422: ERRORS[422]})
    def post(self, request):
        canned = services.save_canned(self.account, _body(request, CannedReplySerializer, self.judge), actor=self.actor)
        return Response(CannedReplySerializer(canned).data, status=status.HTTP_201_CREATED)


class CannedReplyView(_CannedBase):
    @extend_schema(tags=["canned replies"], parameters=[RENDER_FOR], responses={
        200: CannedReplySerializer, 400: ERRORS[400], 404: ERRORS[404]})
    def get(self, request, pk: int):
        return Response(CannedReplySerializer(self.get_object(), context=self.rendering()).data)

    @extend_schema(tags=["canned replies"], request=CannedReplySerializer,
                   responses={200: CannedReplySerializer, 404: ERRORS[404], 422: ERRORS[422]})
    def patch(self, request, pk: int):
        canned = services.save_canned(self.account, _body(request, CannedReplySerializer, self.judge, partial=True),
                                      actor=self.actor, canned=self.get_object())
        return Response(CannedReplySerializer(canned).data)

    @extend_schema(tags=["canned replies"], responses={204: None, 404: ERRORS[404]})
    def delete(self, request, pk: int):
        services.delete_canned(self.account, self.get_object(), actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _body(request, serializer_class, judge, *, partial: bool = False) -> dict:
    """The body's fields; a refusal names every bad field at once: wrong types (the
    serializer's) with the wrong values among the rest (``judge(values) -> errors``)."""
    serializer = serializer_class(data=request.data, partial=partial)
    if serializer.is_valid():
        return dict(serializer.validated_data)
    typed = _typed(serializer, request.data)
    value_errors = {k: [m] for k, m in judge(typed).items() if k in typed}
    raise ValidationError({**value_errors, **serializer.errors})
