"""The REST API (``/api/v1/``): each app keeps its API views in its own ``api.py``; this package only maps
them to URLs."""
