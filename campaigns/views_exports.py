"""The console's exports: ask for one (campaign results, message log, contacts), watch it
build, download it. The same service as ``/api/v1/exports``."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from outreach.audit import record
from outreach.choices import AuditAction
from outreach.console import member_required
from outreach.exceptions import OutreachError

from . import exports
from .choices import ExportKind, ExportStatus
from .models import Campaign, Export


class ExportForm(forms.Form):
    kind = forms.ChoiceField(choices=ExportKind.choices, label="What to export")
    campaign_id = forms.ChoiceField(label="Campaign", required=False, help_text="For campaign results.")

    def __init__(self, account, *args, **kwargs):
        super().__init__(*args, **kwargs)
        campaigns = Campaign.objects.filter(account=account).values_list("pk", "name")[:200]
        self.fields["campaign_id"].choices = [("", "—"), *((str(pk), name) for pk, name in campaigns)]


@member_required
def export_list(request):
    form = ExportForm(request.account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            export = exports.create(request.account, form.cleaned_data["kind"],
                                    campaign_id=form.cleaned_data["campaign_id"] or None,
                                    requested_by=request.user.get_username())
        except OutreachError as exc:
            for field, texts in exc.field_errors.items() or [(None, [exc.message])]:
                form.add_error(field if field in form.fields else None, " ".join(texts))
        else:
            return _created(request, export)
    page = Paginator(Export.objects.filter(account=request.account).select_related("campaign"), 25)
    return render(request, "campaigns/export_list.html", {"form": form, "page": page.get_page(request.GET.get("page"))},
                  status=422 if form.errors else 200)


def _created(request, export: Export):
    record(request.account, request.user, AuditAction.EXPORT_CREATED, export,
           target_label=export.get_kind_display(), detail={"kind": export.kind, "rows": export.total})
    messages.success(request, f"Building the export of {export.total} rows; it can be downloaded once ready.")
    return redirect("campaigns:export", pk=export.pk)


@member_required
def export_detail(request, pk):
    export = get_object_or_404(Export, account=request.account, pk=pk)
    return render(request, "campaigns/export_detail.html", {"export": export, "done": export.status == ExportStatus.DONE})


@member_required
def export_download(request, pk):
    export = get_object_or_404(Export, account=request.account, pk=pk)
    try:
        parts = exports.stream(export)
    except OutreachError as exc:
        messages.error(request, exc.message)
        return redirect("campaigns:export", pk=export.pk)
    response = StreamingHttpResponse(parts, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(export)}"'
    return response


@member_required
@require_POST
def campaign_export(request, pk):
    """"Export results" on a campaign's page."""
    get_object_or_404(Campaign, account=request.account, pk=pk)
    try:
        export = exports.create(request.account, ExportKind.CAMPAIGN_RESULTS, campaign_id=pk,
                                requested_by=request.user.get_username())
    except OutreachError as exc:
        messages.error(request, exc.message)
        return redirect("campaigns:list")
    return _created(request, export)
