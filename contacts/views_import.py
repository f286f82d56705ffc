"""The console's CSV import: upload, map columns (with a preview), run, watch, then the
rejected and duplicate rows (paginated, or the rejected ones as CSV)."""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from outreach.console import member_required
from outreach.exceptions import OutreachError

from . import imports
from .choices import ImportRowKind
from .forms import MappingForm, SaveAsListForm, UploadForm
from .models import Contact, ImportJob


@member_required
def import_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = imports.upload(request.account, filename=upload.name, raw=upload.read(), user=request.user)
        except OutreachError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("contacts:import-map", pk=job.pk)
    recent = ImportJob.objects.filter(account=request.account).defer("content", "rejected_csv")[:10]
    return render(request, "contacts/import_upload.html", {"form": form, "recent": recent},
                  status=422 if request.method == "POST" else 200)


@member_required
def import_map(request, pk):
    job = get_object_or_404(ImportJob, account=request.account, pk=pk)
    if job.started:
        return redirect("contacts:import-job", pk=job.pk)
    header, preview = imports.read_header(job.content)
    form = MappingForm(request.POST or None, account=request.account, header=header,
                       initial_mapping=imports.guess_mapping(header))
    if request.method == "POST" and form.is_valid():
        try:
            imports.start_import(request.account, job, mapping=form.mapping(), lists=list(form.cleaned_data["lists"]))
        except OutreachError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("contacts:import-job", pk=job.pk)
    return render(request, "contacts/import_map.html", {"job": job, "form": form, "header": header, "preview": preview},
                  status=422 if request.method == "POST" else 200)


@member_required
def import_job(request, pk):
    job = get_object_or_404(ImportJob.objects.defer("content", "rejected_csv"), account=request.account, pk=pk)
    if not job.started:
        return redirect("contacts:import-map", pk=job.pk)
    if request.htmx:
        if job.finished:  # the whole page: its heading and the tables of rows change too
            return HttpResponse(headers={"HX-Refresh": "true"})
        return render(request, "contacts/_import_progress.html", {"job": job})
    return render(request, "contacts/import_job.html", {"job": job, **_row_pages(request, job)})


def _row_pages(request, job: ImportJob) -> dict:
    """The rejected and the duplicate rows, each paginated, once the import is finished."""
    if not job.finished:
        return {}
    rejected = Paginator(job.rows.filter(kind=ImportRowKind.REJECTED).order_by("line", "pk"), 25)
    duplicates = Paginator(job.rows.filter(kind=ImportRowKind.DUPLICATE).order_by("line", "pk"), 25)
    rejected_page = rejected.get_page(request.GET.get("rejected_page"))
    duplicate_page = duplicates.get_page(request.GET.get("duplicate_page"))
    numbers = [row.e164_number for row in duplicate_page.object_list]
    existing = {c.e164_number: c for c in Contact.objects.filter(account=request.account, e164_number__in=numbers)}
    return {
        "rejected": rejected_page, "duplicates": duplicate_page,
        "duplicate_rows": [(row, existing.get(row.e164_number)) for row in duplicate_page.object_list],
        "list_form": SaveAsListForm(initial={"name": job.filename.rsplit(".", 1)[0][:200]}),
    }


@member_required
def import_rejected(request, pk):
    job = get_object_or_404(ImportJob.objects.defer("content"), account=request.account, pk=pk)
    if not job.rejected_csv:
        messages.info(request, "No row of this import was rejected.")
        return redirect("contacts:import-job", pk=job.pk)
    response = HttpResponse(job.rejected_csv, content_type="text/csv; charset=utf-8")
    stem = job.filename.rsplit(".", 1)[0] or "import"
    response["Content-Disposition"] = f'attachment; filename="{stem}-rejected.csv"'
    return response
