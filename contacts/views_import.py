"""The console's CSV import: upload, map columns (with a preview), run, watch, download rejects."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from outreach.console import member_required
from outreach.exceptions import OutreachError

from . import imports
from .forms import MappingForm, UploadForm
from .models import ImportJob


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
    job = get_object_or_404(ImportJob.objects.defer("content"), account=request.account, pk=pk)
    if not job.started:
        return redirect("contacts:import-map", pk=job.pk)
    template = "contacts/_import_progress.html" if request.htmx else "contacts/import_job.html"
    return render(request, template, {"job": job})


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
