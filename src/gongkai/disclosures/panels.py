"""Home-page panels of the disclosure capability (each module of the app adds its factories here)."""

FACTORIES: list = []
