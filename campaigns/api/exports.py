"""v1 exports: ask for a CSV (campaign results, message log, contacts), watch it build,
download it. Scope ``campaigns``; another account's export is a 404."""
from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from campaigns import exports
from campaigns.choices import ExportKind, ExportStatus
from campaigns.models import Export
from outreach.api.base import AccountScoped
from outreach.choices import Family

from .views import CONFLICT, INVALID, NOT_FOUND


class ExportSerializer(serializers.ModelSerializer):
    campaign_id = serializers.UUIDField(allow_null=True)
    percent = serializers.IntegerField(help_text="How much is written (100 once done).")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = ["id", "kind", "campaign_id", "status", "total", "processed", "percent", "requested_by",
                  "created_at", "done_at", "download_url"]

    def get_download_url(self, obj) -> str | None:
        """Where the CSV is once ``status`` is ``done`` (null before)."""
        if obj.status != ExportStatus.DONE:
            return None
        return reverse("api-export-download", args=[obj.pk], request=self.context.get("request"))


class ExportCreateSerializer(serializers.Serializer):
    kind = serializers.CharField(required=False, allow_blank=True, help_text=(
        f"One of {', '.join(ExportKind.values)}."))
    campaign_id = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                        help_text="The campaign, for campaign_results.")


class ExportsView(AccountScoped, generics.ListAPIView):
    scope_family = Family.CAMPAIGNS
    queryset = Export.objects.all()
    serializer_class = ExportSerializer

    @extend_schema(tags=["exports"], operation_id="exports_list")
    def get(self, request, *args, **kwargs):
        """Exports, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["exports"], request=ExportCreateSerializer, operation_id="exports_create",
                   responses={202: ExportSerializer, 422: INVALID})
    def post(self, request):
        """Build a CSV in the background: `campaign_results` (one row per recipient of
        `campaign_id`: contact, outcome, message status and times, reply, opt-out, error,
        resends), `messages` (the message log) or `contacts`. Poll `GET /api/v1/exports/{id}`
        for `processed`/`total`, then fetch `download_url`."""
        serializer = ExportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        export = exports.create(self.account, data.get("kind") or "", campaign_id=data.get("campaign_id") or None,
                                requested_by=f"API key {request.auth.name}")
        return Response(ExportSerializer(export, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class ExportView(AccountScoped, APIView):
    scope_family = Family.CAMPAIGNS

    @extend_schema(tags=["exports"], operation_id="export_detail", responses={200: ExportSerializer, 404: NOT_FOUND})
    def get(self, request, pk):
        """An export's progress, and its `download_url` once done."""
        return Response(ExportSerializer(exports.get(self.account, pk), context={"request": request}).data)


class ExportDownloadView(AccountScoped, APIView):
    scope_family = Family.CAMPAIGNS

    @extend_schema(tags=["exports"], operation_id="export_download",
                   responses={(200, "text/csv"): OpenApiTypes.STR, 404: NOT_FOUND, 409: CONFLICT})
    def get(self, request, pk):
        """The finished CSV (UTF-8, a header row; cells a spreadsheet would run as a formula
        start with `'`). 409 while it is still being built."""
        export = exports.get(self.account, pk)
        response = StreamingHttpResponse(exports.stream(export), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{exports.filename(export)}"'
        return response



