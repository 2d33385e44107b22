"""Home-page panels of the ratings capability, collected from each part."""

from . import ballot_panels, result_panels

FACTORIES: list = [*ballot_panels.FACTORIES, *result_panels.FACTORIES]
