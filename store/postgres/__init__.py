"""margin on a PostgreSQL server, for a team beyond one machine.

The store's API does not change: ``store.db.open_database`` takes a ``postgresql://``
URL (or libpq keywords) where it takes a file, and returns a ``PgDatabase``. What
differs between the backends lives here and nowhere else:

- ``dialect``: the store's SQL, written once in the standard part of SQLite's
  dialect, translated for PostgreSQL (placeholders, ``insert or ...``, pragmas, the
  write lock);
- ``schema``: the same migration history as ``store.migrations``, step for step, in
  PostgreSQL's DDL, with the triggers that keep counts and the change feed in step;
- ``connection`` and ``database``: a connection with the sqlite3 module's interface
  and errors, and the table helpers and full-text search of a server;
- ``connect``: opening, refusing what is not margin's, migrating.

A third backend is a package like this one: a ``Database`` subclass whose
``conn`` runs the store's SQL (translating what its dialect says otherwise), its
schema as the same named steps, and a branch in ``open_database``.

psycopg is imported only when a server is opened, so SQLite users never load it.
"""
