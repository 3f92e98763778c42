"""Serve one fix example in a process of its own, imported as the module a WSGI server would
import (`gunicorn example_app:app`): Django configures itself once per process and resolves
its URLs by module name. Started by harness.verify; serves until its stdin closes.

    python -m tests.remediation.child_server FILE PEM HTTPS_PORT [HTTP_PORT]
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import ssl
import sys
from pathlib import Path

from apivigil.demo.server import serve_wsgi


def main(argv: list[str]) -> None:
    source, https_port, *http_port = argv
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # stop cleanly on SIGTERM
    sys.path.insert(0, str(Path(source).parent))
    app = importlib.import_module(Path(source).stem).app
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.environ["TLS_CERT"], os.environ["TLS_KEY"])
    logging.disable(logging.CRITICAL)  # the scan's deliberate errors are not news here
    served = [serve_wsgi(app, context, int(https_port))]
    served += [serve_wsgi(app, None, int(port)) for port in http_port]
    print("ready", flush=True)
    signal.sigwait({signal.SIGTERM})
    for server in served:
        server.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
