"""Staff app under /staff (being built)."""


def mount_staff(app, settings) -> None:
    """Add the /staff routes to the app."""
