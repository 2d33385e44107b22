"""The disclosures JSON API (being written)."""

from ninja import Router

router = Router(tags=["disclosures"])
