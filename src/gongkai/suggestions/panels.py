"""Home-page panels of the suggestions capability, collected from each part."""

from . import author_panels, review_panels

FACTORIES: list = [*author_panels.FACTORIES, *review_panels.FACTORIES]
