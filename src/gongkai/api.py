"""The JSON API (django-ninja): one router per app, mounted under /api/v1/."""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import django_auth

from gongkai.cases.api import router as cases_router
from gongkai.core.access import AccessDenied
from gongkai.disclosures.api import router as disclosures_router
from gongkai.org.api import router as org_router
from gongkai.ratings.api import router as ratings_router
from gongkai.suggestions.api import router as suggestions_router

api = NinjaAPI(
    title="Gongkai API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    description="Enterprise affairs disclosure and democratic management.",
)


@api.exception_handler(AccessDenied)
def access_denied(request: HttpRequest, exc: AccessDenied):
    return api.create_response(
        request, {"code": "forbidden", "detail": "You may not do this here."}, status=403
    )


api.add_router("/org/", org_router)
api.add_router("/disclosures/", disclosures_router)
api.add_router("/cases/", cases_router)
api.add_router("/ratings/", ratings_router)
api.add_router("/suggestions/", suggestions_router)
