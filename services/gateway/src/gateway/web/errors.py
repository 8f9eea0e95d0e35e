"""What the user sees when something goes wrong: Japanese pages, never a stack trace."""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gateway.web.security import apply_security_headers
from gateway.web.templating import render

log = logging.getLogger(__name__)


class PageError(Exception):
    """An error shown as a page with a title and a message."""

    status_code = 500
    title = "エラーが発生しました"
    message = "処理中に問題が発生しました。しばらくしてからもう一度お試しください。"
    next_step: tuple[str, str] | None = ("/", "ホームへ戻る")

    def __init__(self, message: str | None = None) -> None:
        self.message = message or type(self).message
        super().__init__(self.message)

    def choices(self, request: Request) -> list[tuple[str, str]]:
        """Links (url, label) the page offers as the ways on; none for most errors."""
        return []


class LoginRequired(PageError):
    """No usable login: the browser goes to the login page and comes back here afterwards."""

    status_code = 401
    title = "ログインが必要です"
    message = "ログインの有効期限が切れました。もう一度ログインしてください。"

    def __init__(self, return_to: str | None = None) -> None:
        super().__init__()
        self.return_to = return_to


class Forbidden(PageError):
    """A back-end service refused the user's access level."""

    status_code = 403
    title = "権限がありません"
    message = "この操作を行う権限がありません。"


class CrossSiteNavigation(PageError):
    """A link on another site led here to a page whose every visit is audited (a search, an export)."""

    status_code = 403
    title = "他のサイトからは開けません"
    message = "検索やデータ出力は、他のサイトのリンクからは行えません。tbmsの画面から操作してください。"


class NetworkNotAllowed(PageError):
    """The request comes from outside the client networks allowed to use tbms (R35)."""

    status_code = 403
    title = "この端末からは利用できません"
    message = (
        "このシステムは、許可された端末（ネットワーク）からのみ利用できます。"
        "庁内の業務用端末から接続してください。必要な場合はシステム管理者に連絡してください。"
    )
    next_step = None


class CsrfFailed(PageError):
    """A form came without this session's CSRF token (an old screen, or another site)."""

    status_code = 403
    title = "この操作は受け付けられませんでした"
    message = "安全のため、この操作は受け付けられませんでした。画面を開き直して、もう一度操作してください。"


class PageNotFound(PageError):
    """The record or page does not exist (or may not be known to this user)."""

    status_code = 404
    title = "ページが見つかりません"
    message = "指定されたページまたはデータが見つかりません。"


class MethodNotAllowed(PageError):
    """The page exists but not for this kind of request."""

    status_code = 405
    title = "この方法ではページを開けません"
    message = "画面のリンクやボタンから操作してください。"


class BadRequest(PageError):
    """The request cannot be read (a tampered link or form)."""

    status_code = 400
    title = "要求を処理できません"
    message = "要求の内容が正しくありません。画面を開き直してください。"


class ServiceUnavailable(PageError):
    """A back-end service did not answer in time or failed."""

    status_code = 503
    title = "一時的にサービスに接続できません"
    message = "しばらくしてからもう一度お試しください。問題が続く場合はシステム管理者に連絡してください。"


class UnderMaintenance(PageError):
    """The system is stopped for maintenance (maintenance mode): users are told, administrators pass."""

    status_code = 503
    title = "保守のため停止しています"
    message = "ただいまシステムの保守を行っています。終了するまでお待ちください。入力中の内容は保存されていません。"


def return_path(request: Request) -> str:
    """Where to come back to after logging in: this page for a plain GET, else the page htmx was on."""
    if request.method == "GET" and not request.headers.get("hx-request"):
        query = f"?{request.url.query}" if request.url.query else ""
        return f"{request.url.path}{query}"
    current = urlsplit(request.headers.get("hx-current-url", ""))
    return current.path or "/"


def login_redirect(request: Request, return_to: str) -> Response:
    """Sends the browser to /login (or first to the 利用上の注意 page); htmx requests get HX-Redirect."""
    start = "/welcome" if request.app.state.settings.login_banner_before_login else "/login"
    target = f"{start}?next={quote(return_to, safe='/')}"
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def refuse_network(request: Request) -> Response:
    """The refusal page for a client outside the allowed networks."""
    return await error_page(request, NetworkNotAllowed())


async def error_page(request: Request, exc: PageError) -> Response:
    """The Japanese page for an error, with the security headers even on the way out."""
    if isinstance(exc, LoginRequired):
        # A login the back-end services no longer accept is ended here, so /login starts a fresh one.
        await request.app.state.sessions.delete(getattr(request.state, "session_id", None))
        return login_redirect(request, exc.return_to or return_path(request))
    context = {
        "title": exc.title,
        "message": exc.message,
        "status_code": exc.status_code,
        "next_step": exc.next_step,
        "choices": exc.choices(request),
    }
    response = render(request, "error.html", context, status_code=exc.status_code)
    apply_security_headers(response.headers, request.app.state.csp)
    return response


def install_error_pages(app: FastAPI) -> None:
    """Turns every failure into a Japanese page."""

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        return await error_page(request, exc)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return await error_page(request, PageNotFound())
        if exc.status_code == 405:
            return await error_page(request, MethodNotAllowed())
        return await error_page(request, PageError(str(exc.detail) if exc.status_code < 500 else None))

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, _: RequestValidationError) -> Response:
        return await error_page(request, BadRequest())

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return await error_page(request, PageError())
