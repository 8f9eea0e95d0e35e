"""The gateway application: the staff web UI."""

from fastapi import FastAPI

from gateway.app import build_gateway
from gateway.pages.admin import routes as admin
from gateway.pages.auth import routes as auth
from gateway.pages.board import routes as board
from gateway.pages.contacts import routes as contacts
from gateway.pages.documents import routes as documents
from gateway.pages.dots import routes as dots
from gateway.pages.followup import routes as followup
from gateway.pages.home import routes as home
from gateway.pages.masters import routes as masters
from gateway.pages.office import routes as office
from gateway.pages.patients import routes as patients
from gateway.pages.requests import routes as requests
from gateway.pages.search import routes as search
from gateway.pages.workflow import circulation_routes as circulations
from gateway.pages.workflow import routes as workflow
from gateway.settings import get_settings

ROUTERS = (  # auth first: its session timer (/session/remaining) serves the warning on every page
    auth.router,
    home.router,
    patients.router,
    contacts.router,
    requests.router,
    dots.router,
    followup.router,
    board.router,
    search.router,
    documents.router,
    masters.router,
    admin.router,
    workflow.router,
    circulations.router,
    office.router,
)


def create_app() -> FastAPI:
    """Builds the gateway."""
    return build_gateway(get_settings(), ROUTERS)
