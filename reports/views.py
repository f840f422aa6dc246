"""Report pages: validate the filters, ask the selectors, read the aggregates, audit, render. Thin."""

from __future__ import annotations

import csv
from datetime import date
from io import StringIO

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mash import audit
from mash.models import AuditEvent

from . import annex_a, charts, cin_census, cin_rules, figures, selectors
from .cells import safe_row
from .forms import DashboardFilterForm, StatutoryForm
from .statutory import cin_children

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request: HttpRequest) -> tuple[DashboardFilterForm, figures.Filters | None]:
    scope = selectors.dashboard_scope(request.user)
    form = DashboardFilterForm(
        request.GET, teams=selectors.teams_in_scope(scope), agencies=selectors.agencies_for_filter()
    )
    if form.is_bound and not form.is_valid():
        return form, None
    values = form.values()
    return form, figures.Filters(
        start=values["start"], end=values["end"], scope=scope, team=values["team"], agency=values["agency"]
    )


def _audit(request: HttpRequest, kind: str, action: str, details: dict) -> None:
    audit.record(kind, action, actor=request.user, details=details, ip_address=audit.client_ip(request))


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    if filters is None:
        return render(request, "reports/dashboard_view.html", {"form": form, "figures": []}, status=400)
    shown = [(figure, charts.chart_for(figure)) for figure in figures.all_figures(filters)]
    _audit(request, AuditEvent.Kind.READ, "reports.dashboard", filters.as_query())
    return render(
        request,
        "reports/dashboard_view.html",
        {
            "form": form,
            "figures": shown,
            "query": "&".join(f"{k}={v}" for k, v in filters.as_query().items()),
            "can_export": selectors.can_export_statutory(request.user),
        },
    )


def _csv(name: str, columns: list[str], rows: list[list]) -> HttpResponse:
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else v for v in safe_row(row)])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@login_required
@require_GET
def figure_csv(request: HttpRequest, key: str) -> HttpResponse:
    build = figures.FIGURES.get(key)
    if build is None:
        raise Http404("There is no such figure.")
    form, filters = _filters(request)
    if filters is None:
        return render(request, "reports/dashboard_view.html", {"form": form, "figures": []}, status=400)
    figure = build(filters)
    _audit(request, AuditEvent.Kind.EXPORT, "reports.figure_csv", {"figure": key, **filters.as_query()})
    return _csv(f"{key}_{filters.start}_{filters.end}", figure.columns, figure.rows)


def _statutory_form(request: HttpRequest) -> StatutoryForm:
    selectors.require_statutory_export(request.user)
    data = request.GET if StatutoryForm.is_filled_in(request.GET) else None
    return StatutoryForm(data, initial=StatutoryForm.defaults())


def _period(data: dict) -> dict:
    return {"start": data["start"].isoformat(), "end": data["end"].isoformat()}


def _census_check(data: dict) -> tuple[list, date, list[cin_rules.Violation]]:
    """The period's children as at its end (the census reference date, or the period's end if the
    year is not over), the reference date and the rules they break."""
    reference = cin_census.census_year(data["end"])[1]
    as_at = min(reference, data["end"])
    children = cin_children(data["start"], as_at)
    return children, reference, cin_rules.check_children(children, as_at=as_at)


def _form_page(request: HttpRequest, form: StatutoryForm, status: int, **context) -> HttpResponse:
    return render(request, "reports/statutory_export.html", {"form": form, **context}, status=status)


@login_required
@require_GET
def statutory(request: HttpRequest) -> HttpResponse:
    """The export page; with a period chosen it also lists the census rule violations to put right."""
    form = _statutory_form(request)
    if not (form.is_bound and form.is_valid()):
        return _form_page(request, form, 400 if form.errors else 200)
    children, _, violations = _census_check(form.cleaned_data)
    _audit(request, AuditEvent.Kind.READ, "reports.statutory_check", _period(form.cleaned_data))
    return _form_page(
        request, form, 200, violations=violations, children=len(children), query=request.GET.urlencode()
    )


@login_required
@require_GET
def annex_a_xlsx(request: HttpRequest) -> HttpResponse:
    form = _statutory_form(request)
    if not form.is_valid():
        return _form_page(request, form, 400)
    data = form.cleaned_data
    body = annex_a.workbook(data["start"], data["end"])
    _audit(request, AuditEvent.Kind.EXPORT, "reports.annex_a", _period(data))
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="annex_a_{data["start"]}_{data["end"]}.xlsx"'
    return response


@login_required
@require_GET
def cin_xml(request: HttpRequest) -> HttpResponse:
    """The census XML, refused (422, with the reasons) while any census rule error stands."""
    form = _statutory_form(request)
    if not form.is_valid():
        return _form_page(request, form, 400)
    data = form.cleaned_data
    children, reference, violations = _census_check(data)
    if not children or any(not v.is_query for v in violations):
        # The refusal lists rule breaches by child id: a read of child-level data, audited as one.
        _audit(request, AuditEvent.Kind.READ, "reports.statutory_check", {**_period(data), "refused": True})
        return _form_page(request, form, 422, violations=violations, children=len(children), refused=True)
    body = cin_census.census_xml(children, la_code=data["la_code"], reference_date=reference)
    # Where the Department's schema is installed (liiatools), nothing that fails it leaves the building.
    errors = cin_census.schema_errors(body, year=cin_census.schema_year(reference)) or []
    schema = [cin_rules.Violation("XSD", error) for error in errors]
    if schema:
        _audit(request, AuditEvent.Kind.READ, "reports.statutory_check", {**_period(data), "refused": True})
        return _form_page(request, form, 422, violations=schema, children=len(children), refused=True)
    _audit(
        request, AuditEvent.Kind.EXPORT, "reports.cin_census", {**_period(data), "children": len(children)}
    )
    response = HttpResponse(body, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="cin_census_{data["la_code"]}_{reference}.xml"'
    return response
