"""The SQLAlchemy store: engine and sessions, tables, migrations, one module of queries per aggregate."""
