"""Plans, registers and statistics pages (included into the "recruitment" namespace by urls.py)."""

from __future__ import annotations

from django.urls import path

from dangjian.recruitment import views_reports as v

urlpatterns = [
    path("reports/plans/", v.plans, name="report_plans"),
    path("reports/plans/set/", v.plan_set, name="report_plan_set"),
    path("reports/plans/<int:plan_id>/edit/", v.plan_edit, name="report_plan_edit"),
    path("reports/plans/export/", v.plans_export, name="report_plans_export"),
    path("reports/registers/", v.registers, name="report_registers"),
    path("reports/orgs/<int:org_id>/register/", v.register, name="report_register"),
    path("reports/orgs/<int:org_id>/register/export/", v.register_export, name="report_register_export"),
    path("reports/statistics/", v.statistics, name="report_statistics"),
    path("reports/orgs/<int:org_id>/statistics/", v.org_statistics, name="report_org_statistics"),
    path("reports/orgs/<int:org_id>/statistics/export/", v.statistics_export, name="report_statistics_export"),
]
