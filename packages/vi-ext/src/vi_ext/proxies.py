"""HTTP proxies for the API and storage legs, as httpx and requests users expect.

vi_ext builds its own httpx transports (retries, per-thread pools), which turns off httpx's own
reading of the environment, so the same rules are applied here:

- ``Client(proxy=...)`` sends every request through that proxy (as httpx's ``proxy=``).
- Otherwise ``HTTP_PROXY`` / ``HTTPS_PROXY`` (by the URL's scheme), then ``ALL_PROXY``; lower-case
  names win over upper-case ones, and on macOS/Windows the system settings are read when the
  environment names none (``urllib.request.getproxies``, what httpx and requests use).
- ``NO_PROXY``: comma-separated hosts reached directly: ``*`` (everything), a domain (``example.com``,
  ``.example.com`` or ``*.example.com`` also cover sub-domains), an IP address, an IP network
  (``10.0.0.0/8``), each optionally with ``:port`` or a scheme (``http://host``).
- A proxy URL without a scheme means ``http://``. ``socks5://`` needs ``pip install httpx[socks]``.
"""

from __future__ import annotations

import ipaddress
import re
import threading
import urllib.request
from collections.abc import Callable, Mapping

import httpx

from vi_ext.errors import ViConfigurationError

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


def proxy_table() -> dict[str, str]:
    """The proxy settings of the environment (and the OS), keyed by scheme, ``all`` and ``no``."""
    return {k.lower(): v for k, v in urllib.request.getproxies().items() if v}


def normalize_proxy(url: str) -> str:
    """A proxy URL with its scheme (``http://`` when none) and a supported scheme.

    Raises:
        ViConfigurationError: the scheme is not http, https, socks5 or socks5h.
    """
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    scheme = text.split("://", 1)[0].lower()
    if scheme not in PROXY_SCHEMES:
        shown = re.sub(r"//[^@/]*@", "//***@", text)  # never show proxy credentials
        raise ViConfigurationError(f"unsupported proxy {shown}: use http://, https:// or socks5://")
    return text


def bypasses(url: httpx.URL, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` (``no_proxy``) says ``url`` is reached directly."""
    host = url.host.lower().strip("[]")
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        if "://" in entry:
            scheme, entry = entry.split("://", 1)
            if scheme != url.scheme:
                continue
        entry_host, entry_port = _split_port(entry)
        if entry_port is not None and entry_port != port:
            continue
        if _host_matches(host, entry_host):
            return True
    return False


def _split_port(entry: str) -> tuple[str, int | None]:
    if entry.startswith("["):  # [::1]:8080
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        if port.isdigit():
            return host, int(port)
    return entry, None


def _host_matches(host: str, entry: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        try:
            return address in ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return False
    domain = entry.removeprefix("*").removeprefix(".")
    return bool(domain) and (host == domain or host.endswith("." + domain))


def proxy_for(url: httpx.URL, table: Mapping[str, str], explicit: str | None = None) -> str | None:
    """The proxy ``url`` goes through, or ``None`` for a direct connection.

    Args:
        url: the request URL.
        table: `proxy_table` (scheme/``all``/``no`` to value).
        explicit: ``Client(proxy=...)``; it applies to every request.

    Returns:
        The proxy URL (normalized), or ``None``.
    """
    if explicit is not None:
        return normalize_proxy(explicit)
    if bypasses(url, table.get("no", "")):
        return None
    chosen = table.get(url.scheme) or table.get("all")
    return normalize_proxy(chosen) if chosen else None


class ProxyRouter(httpx.BaseTransport):
    """Sends each request through the transport for its proxy (or the direct one), made on first use.

    Args:
        make: builds the transport for a proxy URL (``None``: direct).
        choose: the proxy for a request URL (`proxy_for` with the client's settings bound).
    """

    def __init__(
        self, make: Callable[[str | None], httpx.BaseTransport], choose: Callable[[httpx.URL], str | None]
    ) -> None:
        self._make = make
        self._choose = choose
        self._transports: dict[str | None, httpx.BaseTransport] = {}
        self._lock = threading.Lock()

    def transport_for(self, url: httpx.URL) -> httpx.BaseTransport:
        """The transport ``url`` is sent with.

        Raises:
            ViConfigurationError: the proxy needs a package that is not installed (socks).
        """
        proxy = self._choose(url)
        transport = self._transports.get(proxy)
        if transport is None:
            with self._lock:
                transport = self._transports.get(proxy)
                if transport is None:
                    try:
                        transport = self._make(proxy)
                    except ImportError as exc:
                        raise ViConfigurationError(f"proxy {proxy} needs: pip install 'httpx[socks]'") from exc
                    self._transports[proxy] = transport
        return transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through its transport."""
        return self.transport_for(request.url).handle_request(request)

    def close(self) -> None:
        """Close every transport made."""
        with self._lock:
            transports, self._transports = list(self._transports.values()), {}
        for transport in transports:
            transport.close()
