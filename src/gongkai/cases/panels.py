"""Home-page panels of the cases capability, collected from each part."""

from . import raiser_panels, source_panels, work_panels

FACTORIES: list = [*raiser_panels.FACTORIES, *work_panels.FACTORIES, *source_panels.FACTORIES]
