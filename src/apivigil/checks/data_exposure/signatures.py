"""Error signatures: stack traces, debug pages, SQL/NoSQL/template engine errors, internal
paths and private addresses. Shared by the data exposure and input validation checks.

Each signature is a string that only a real error produces (a traceback header, a driver's
error text, a debug page's marker), never a bare status code: a 500 alone proves nothing.
"""

from __future__ import annotations

import html
import ipaddress
import re
from dataclasses import dataclass

_FLAGS = re.IGNORECASE


@dataclass(frozen=True)
class Signature:
    kind: str  # debugger, stack-trace, sql-error, nosql-error, template-error
    label: str
    pattern: re.Pattern[str]


SIGNATURES: tuple[Signature, ...] = (
    Signature("debugger", "Werkzeug interactive debugger",
              re.compile(r"__debugger__|The debugger caught an exception|Werkzeug Debugger")),
    Signature("debugger", "Django debug page",
              re.compile(r"You're seeing this error because you have <code>DEBUG = True")),
    Signature("debugger", "Laravel/Whoops debug page", re.compile(r"Whoops! There was an error|"
                                                                   r"Ignition|whoops-container")),
    Signature("debugger", "Rails exception page",
              re.compile(r"Action Controller: Exception caught")),
    Signature("stack-trace", "Python traceback",
              re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+")),
    Signature("stack-trace", "Java stack trace",
              re.compile(r"(?:at [a-zA-Z_$][\w$.]+\([\w$]+\.java:\d+\))|"
                         r"java\.lang\.[A-Za-z]+(?:Exception|Error)")),
    Signature("stack-trace", ".NET stack trace",
              re.compile(r"System\.[A-Za-z.]+Exception|Server Error in '/' Application")),
    Signature("stack-trace", "Node.js stack trace",
              re.compile(r"at (?:[\w.<>$]+ )?\(?/[^\s()]+\.[cm]?js:\d+:\d+\)?")),
    Signature("stack-trace", "PHP error",
              re.compile(r"(?:Fatal error|Parse error|Warning)</b>?:? .{0,200} on line "
                         r"<b>?\d+|PHP (?:Fatal|Parse) error", _FLAGS)),
    Signature("stack-trace", "Ruby backtrace", re.compile(r"\.rb:\d+:in `")),
    Signature("stack-trace", "Spring error page", re.compile(r"Whitelabel Error Page")),
    Signature("sql-error", "SQL error", re.compile(
        r"You have an error in your SQL syntax|SQLSTATE\[|ORA-\d{5}|PG::[A-Za-z]+Error|"
        r"psycopg2?\.(?:errors\.)?[A-Za-z]+Error|sqlite3\.OperationalError|"
        r"SQLite3::SQLException|unterminated quoted string at or near|"
        r"syntax error at or near \"|Unclosed quotation mark after the character string|"
        r"quoted string not properly terminated|Microsoft OLE DB Provider for SQL Server|"
        r"SQLITE_ERROR|near \"[^\"]{1,40}\": syntax error|mysql_fetch|MySqlException|"
        r"sqlalchemy\.exc\.[A-Za-z]+Error|com\.mysql\.jdbc|org\.postgresql\.util\.PSQLException")),
    Signature("nosql-error", "MongoDB error", re.compile(
        r"MongoError|MongoServerError|BSONError|CastError: Cast to ObjectId failed|"
        r"unknown operator: \$|\$where|pymongo\.errors|bson\.errors\.InvalidId|E11000")),
    Signature("template-error", "template engine error", re.compile(
        r"jinja2\.exceptions\.|TemplateSyntaxError|UndefinedError: |freemarker\.core\.|"
        r"org\.thymeleaf\.exceptions|Liquid (?:syntax )?error|Twig[\\_]Error|"
        r"mako\.exceptions|django\.template\.exceptions|Handlebars: Access has been denied|"
        r"ParseErrorException: Encountered")),
)

_INTERNAL_PATH = re.compile(
    r"(?<![\w/])(?:/home/[\w.-]+|/root/|/var/www|/usr/(?:local/)?lib/python[\d.]+|"
    r"/srv/[\w.-]+|/opt/[\w.-]+|(?:/[\w.-]+){2,}/(?:site|dist)-packages/|"
    r"(?:/[\w.-]+){2,}\.(?:py|rb|java)\b|"
    r"[A-Z]:\\(?:Users|inetpub|Windows)\\)[^\s\"'<>]*")
_TITLE = re.compile(r"<title>(.{1,300}?)</title>", re.IGNORECASE | re.DOTALL)
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")


@dataclass(frozen=True)
class ErrorMatch:
    kind: str
    label: str
    excerpt: str


def find_signatures(text: str) -> list[ErrorMatch]:
    """Every error signature in `text`, the most serious kinds first, one per label."""
    found = []
    title = _TITLE.search(text)
    for signature in SIGNATURES:
        hit = signature.pattern.search(text)
        if hit:
            # A debug page's title names the exception: more telling than the marker.
            excerpt = (html.unescape(title.group(1)).split(" // ")[0].strip()
                       if signature.kind == "debugger" and title else
                       _excerpt(text, hit.start()))
            found.append(ErrorMatch(signature.kind, signature.label, " ".join(excerpt.split())))
    return found


def internal_paths(text: str) -> list[str]:
    return sorted({hit.group(0) for hit in _INTERNAL_PATH.finditer(text)})


def private_addresses(text: str) -> list[str]:
    """RFC 1918 / unique-local IPv4 addresses in the text (loopback and public ones ignored)."""
    found = set()
    for hit in _IPV4.finditer(text):
        try:
            address = ipaddress.IPv4Address(hit.group(0))
        except ValueError:
            continue
        if address.is_private and not (address.is_loopback or address.is_link_local
                                       or address.is_unspecified or address.is_reserved):
            found.add(str(address))
    return sorted(found)


def _excerpt(text: str, start: int, width: int = 120) -> str:
    return " ".join(text[start:start + width].split())
