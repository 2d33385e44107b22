"""(placeholder: this module's pages are being written; see disclosures/urls.py)"""

urlpatterns: list = []
