"""The gateway application: the staff web UI."""

from fastapi import FastAPI

from gateway.assembly import build_gateway
from gateway.routes import admin, auth, documents, home, patient_export, patients, search
from gateway.settings import get_settings

ROUTERS = (
    auth.router,
    home.router,
    patient_export.router,
    patients.router,
    search.router,
    documents.router,
    admin.router,
)


def create_app() -> FastAPI:
    """Builds the gateway."""
    return build_gateway(get_settings(), ROUTERS)
