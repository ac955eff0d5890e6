from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from deals import api

from .health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says: answer with the static icon, not a 404.
    path("favicon.ico", lambda request: redirect(static("deals/favicon.ico")), name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/deals/", api.DealList.as_view(), name="api-deals"),
    path("api/deals/<int:pk>/", api.DealDetail.as_view(), name="api-deal"),
    path("api/companies/<int:pk>/", api.CompanyDetail.as_view(), name="api-company"),
    path("api/programmes/<int:pk>/", api.ProgrammeDetail.as_view(), name="api-programme"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("deals.urls")),
]

handler404 = "tracker.errors.page_not_found"
