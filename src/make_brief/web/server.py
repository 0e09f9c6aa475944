"""`make-brief serve`: the web app on uvicorn, its address (with the token) printed and opened.

Bound to 127.0.0.1 and a free port unless told otherwise; the socket is bound first, so the
address printed is the one that answers. Ctrl-C stops the server (uvicorn's own handling): the
app's private folder is removed as it stops.
"""

from __future__ import annotations

import socket
import threading
import webbrowser
from collections.abc import Callable

import uvicorn

from .app import create
from .state import ServeSettings


def serve(settings: ServeSettings, echo: Callable[[str], None], browser: bool = True) -> None:
    """Run the app until Ctrl-C, printing its address with `echo` (and opening it)."""
    app, state = create(settings)
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    url = f"http://{shown}:{port}/?token={state.token}"
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    echo(f"make-brief serve: {url}")
    echo("press Ctrl-C to stop")
    if browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn stops on Ctrl-C, then raises it again: stopping is normal here
        pass
    finally:
        sock.close()
    echo("stopped; the uploads are removed")
