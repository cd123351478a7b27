"""URL map of the whole site; each app owns its own urls.py."""

from django.contrib import admin
from django.urls import include, path

from minyi import views
from minyi.api.docs import SchemaView, docs_page
from minyi.appeals.views import wechat

urlpatterns = [
    path("", views.home, name="home"),
    path("review/", views.review, name="review"),
    path("desk/queues/", views.desk_queues, name="desk_queues"),
    path("accounts/", include("minyi.org.auth_urls")),
    path("org/", include("minyi.org.urls")),
    path("audit/", include("minyi.audit.urls")),
    path("appeals/", include("minyi.appeals.urls")),
    path("ledger/", include("minyi.ledger.urls")),
    path("kpi/", include("minyi.kpi.urls")),
    path("supervision/", include("minyi.supervision.urls")),
    path("insight/", include("minyi.insight.urls")),
    path("outreach/", include("minyi.outreach.urls")),
    path("study/", include("minyi.study.urls")),
    path("symposia/", include("minyi.symposia.urls")),
    path("evaluation/", include("minyi.evaluation.urls")),
    path("assistance/", include("minyi.assistance.urls")),
    path("partybuilding/", include("minyi.partybuilding.urls")),
    path("exemplars/", include("minyi.exemplars.urls")),
    path("reports/", include("minyi.reports.urls")),
    path("", include("minyi.appeals.public_urls")),
    path("api/v1/", include("minyi.api.urls")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", docs_page, name="api-docs"),
    path("open311/v2/", include("minyi.open311.urls")),
    path("channels/wechat/", wechat.push, name="wechat-push"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("admin/", admin.site.urls),
]

handler400 = "minyi.views.bad_request"
handler403 = "minyi.views.forbidden"
handler404 = "minyi.views.page_not_found"
handler500 = "minyi.views.server_error"
