"""Which redirects the API client follows: same origin only, and never one that changes the method.

A redirect to another origin (scheme, host or port) would carry the organization id (and, with a
careless client, the key) to a host the user never named, so it is refused before any request goes
there. Within the same origin, GET/HEAD follow any redirect and 307/308 are followed for every
method (method and body kept); a 301/302/303 answering a POST/PUT/DELETE is refused, because
following it would silently turn the call into a GET.
"""

from __future__ import annotations

import httpx

from vi_ext.errors import ViServerError

MAX_REDIRECTS = 5
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` with the scheme's default port filled in."""
    return url.scheme, url.host.lower(), url.port or _DEFAULT_PORTS.get(url.scheme)


def redirect_refusal(method: str, status: int, source: httpx.URL, target: httpx.URL) -> str | None:
    """Why a redirect must not be followed, or ``None`` when it may be.

    Args:
        method: the method of the request that was redirected.
        status: the 3xx status.
        source: the URL of that request.
        target: the absolute URL the ``Location`` names.

    Returns:
        A reason for the error message, or ``None``.
    """
    if origin(source) != origin(target):
        return "to another origin"
    if method.upper() not in ("GET", "HEAD") and status not in (307, 308):
        return f"that would turn a {method.upper()} into a GET"
    return None


def refuse_unsafe_redirects(response: httpx.Response) -> None:
    """httpx response hook: raise instead of following a redirect `redirect_refusal` refuses.

    Raises:
        ViServerError: with ``error_code="RedirectRefused"``.
    """
    if not response.has_redirect_location:
        return
    request = response.request
    target = request.url.join(response.headers["Location"])
    reason = redirect_refusal(request.method, response.status_code, request.url, target)
    if reason is not None:
        raise ViServerError(
            f"the API answered {request.method} {_show(request.url)} with a redirect {reason} "
            f"({_show(target)}); vi-ext does not follow it: if the API moved, set the endpoint to the new address",
            status_code=response.status_code,
            error_code="RedirectRefused",
        )


def _show(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.netloc.decode('ascii', 'replace')}{url.path}"
