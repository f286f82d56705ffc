"""v1 reply keywords: the account's opt-out, opt-in and HELP words and the automatic reply
to each (contacts/keywords.py). Scope ``contacts``; each account has its own."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts import keywords
from contacts.models import KeywordSettings
from outreach.api.base import AccountScoped
from outreach.choices import Family
from outreach.exceptions import InvalidInput

from .views import ERRORS

WORDS = "Words (any case; stored upper-case, spaces collapsed); a reply that is exactly one of them matches."


class KeywordsSerializer(serializers.ModelSerializer):
    opt_out_keywords = serializers.ListField(child=serializers.CharField(), help_text=f"Opt-out words; must include STOP. {WORDS}")
    opt_in_keywords = serializers.ListField(child=serializers.CharField(), help_text=f"Opt-in words. {WORDS}")
    help_keywords = serializers.ListField(child=serializers.CharField(), help_text=f"HELP words. {WORDS}")
    opt_out_reply = serializers.CharField(allow_blank=True, help_text="Sent after an opt-out when `opt_out_reply_on` (up to 320 characters).")
    opt_out_reply_on = serializers.BooleanField(help_text="Off by default: carriers and providers often confirm opt-outs themselves.")
    opt_in_reply = serializers.CharField(allow_blank=True)
    opt_in_reply_on = serializers.BooleanField()
    help_reply = serializers.CharField(allow_blank=True)
    help_reply_on = serializers.BooleanField()

    class Meta:
        model = KeywordSettings
        fields = ["opt_out_keywords", "opt_out_reply", "opt_out_reply_on", "opt_in_keywords", "opt_in_reply",
                  "opt_in_reply_on", "help_keywords", "help_reply", "help_reply_on"]


class KeywordsView(AccountScoped, APIView):
    scope_family = Family.CONTACTS

    @extend_schema(tags=["contacts"], operation_id="keywords_get", responses={200: KeywordsSerializer})
    def get(self, request):
        """The account's reply keywords and automatic replies (the defaults until changed)."""
        return Response(KeywordsSerializer(keywords.settings_for(self.account)).data)

    @extend_schema(tags=["contacts"], operation_id="keywords_put", request=KeywordsSerializer,
                   responses={200: KeywordsSerializer, 422: ERRORS[422]})
    def put(self, request):
        """Change the keywords and replies: the fields given are replaced, the others kept.
        A word belongs to one list; the opt-out list keeps STOP; a reply that is on has a
        text. Every bad field is named in one 422."""
        if not isinstance(request.data, dict):
            raise InvalidInput("Send a JSON object of the fields to change.")
        unknown = sorted(set(request.data) - set(KeywordsSerializer.Meta.fields))
        if unknown:
            raise InvalidInput.of_fields({name: f"{name} is not a keyword setting." for name in unknown})
        return Response(KeywordsSerializer(keywords.update(self.account, dict(request.data))).data)
