"""Scans of monitored targets as jobs: what one job does (`jobs`), where jobs run (in this
process, `local`; or as Celery tasks on a Redis broker, `celery_app`), and when (`schedule`:
cron expressions per target).

A job is (target id, job id). Running it loads the target, builds the scan options from it
(a credential only by reference: the name of an environment variable read by the process
that scans), runs the engine with the CLI's safety rules, stores the report with its job id
(idempotent: a job is stored once, whichever worker finishes it) and sends the alerts.

May import core, store, engine, alerts.
"""
