"""What apivigil remembers between scans: the scan history database and baseline files.

- `history`: every scan's report in a database through SQLAlchemy 2 (SQLite by default,
  PostgreSQL with `--db postgresql://...` and psycopg 3);
- `diff`: new, fixed and unchanged findings between two reports, and the grade drift;
- `suppress`: baseline files (fingerprints of accepted findings) and the config's ignore list.

This layer imports only `core`: it stores and compares `Report`s, whoever produced them.
"""
