"""The web layer: the FastAPI application and its routers."""
