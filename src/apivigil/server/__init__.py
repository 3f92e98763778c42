"""`apivigil serve`: the team dashboard over the scan history (Flask, server-rendered jinja2).

Targets and their scans, score and grade trend charts (inline SVG drawn on the server), the
history of each category, findings with evidence and fix, the diff between two scans, a
"scan now" button, cron schedules, webhooks and their delivery log, and the PDF report.

The dashboard protects itself: an admin account is created at first start (bcrypt hash; the
generated password is printed once), sessions are signed cookies (Secure, HttpOnly,
SameSite=Strict), every form carries a CSRF token (Flask-WTF), failed logins are throttled
(Flask-Limiter), every response has a strict CSP and the usual security headers, and a target's
credential is never stored or shown: a target names the environment variable that holds it.

May import core, store, reporting, alerts and fleet.
"""
