"""Fetching a URL a client gives, without server-side request forgery, in Flask
(pip install flask httpx).

Only https, only the hosts on your allow-list, and only when every address the host resolves
to is public: never loopback, private, link-local (169.254.169.254, the cloud metadata
service) or another internal address. The connection goes to the very address that was
checked, so a DNS answer that changes in between cannot send it elsewhere; redirects are not
followed; and the client sees neither the fetched body nor the fetcher's errors.
"""

import ipaddress
import socket
import time
from urllib.parse import urlsplit

import httpx
from flask import Flask, jsonify, request

app = Flask(__name__)
# The hosts your API may fetch from, in lower case, no wildcards: adapt.
app.config["FETCH_ALLOWED_HOSTS"] = {"images.example.com"}
MAX_BYTES = 1024 * 1024  # refuse larger answers
DEADLINE_S = 5.0  # for the whole fetch: a per-read timeout never ends a slow trickle


class NotAllowedError(Exception):
    """The URL is not one this API fetches (refused before connecting to anything)."""


class FetchFailedError(Exception):
    """An allowed URL could not be fetched."""


def public_address(host, port):
    """The address to connect to, when every address `host` resolves to is public."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise NotAllowedError from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    for address in addresses:
        mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 is 127.0.0.1
        address = mapped or address
        if not address.is_global or address.is_multicast:
            raise NotAllowedError
    return addresses[0]


def fetch(url):
    """(content type, body) of an allowed https URL, else NotAllowedError or FetchFailedError."""
    parts = urlsplit(url)
    try:
        port = 443 if parts.port is None else parts.port
    except ValueError:  # a port that is no number
        raise NotAllowedError from None
    host = parts.hostname
    if parts.scheme != "https" or host not in app.config["FETCH_ALLOWED_HOSTS"] or port != 443:
        raise NotAllowedError
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL:  # control characters, too long...
        raise NotAllowedError from None
    address = public_address(host, port)  # only allowed hosts are ever resolved
    # Connect to the checked address; the certificate is still verified for the host name
    # (sni_hostname), and the Host header names it too. trust_env=False: no proxy from the
    # environment, which would resolve the name again.
    pinned = target.copy_with(host=str(address))
    deadline = time.monotonic() + DEADLINE_S
    try:
        with httpx.Client(follow_redirects=False, timeout=3.0, trust_env=False) as client, \
                client.stream("GET", pinned, headers={"Host": host},
                              extensions={"sni_hostname": host}) as response:
            if response.status_code != 200:  # a redirect included: never followed
                raise FetchFailedError
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BYTES or time.monotonic() > deadline:
                    raise FetchFailedError
            return response.headers.get("content-type", ""), bytes(body)
    except httpx.HTTPError:
        raise FetchFailedError from None


@app.get("/api/preview")
def preview():
    url = request.args.get("url", "")
    try:
        kind, body = fetch(url)
    except NotAllowedError:
        return jsonify(error="this URL is not allowed"), 400
    except FetchFailedError:
        return jsonify(error="could not fetch the URL"), 502  # never the fetcher's error
    # Use the content here (store it, make a thumbnail...) and answer with what you made of
    # it: never with the fetched body itself.
    return jsonify(url=url, content_type=kind.split(";")[0], bytes=len(body))
