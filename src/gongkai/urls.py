from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from gongkai.api import api
from gongkai.core import views as core_views
from gongkai.org import views as org_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("ledger/check/", core_views.ledger_check, name="ledger_check"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", org_views.password_change, name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("org/", include("gongkai.org.urls")),
    path("disclosures/", include("gongkai.disclosures.urls")),
    path("cases/", include("gongkai.cases.urls")),
    path("ratings/", include("gongkai.ratings.urls")),
    path("suggestions/", include("gongkai.suggestions.urls")),
    path("log/", include("gongkai.core.log_urls")),
    path("inbox/", include("gongkai.core.notify_urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
