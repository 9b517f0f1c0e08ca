"""The SQL helpers of the generator: statements on the bench connection, the next free id of a series, and
the SQL expressions of the generated grade and of the check characters of credit codes and ID numbers."""

from django.db import connection

from programs.validators import CREDIT_CODE_ALPHABET, CREDIT_CODE_WEIGHTS, ID_NUMBER_CHECK, ID_NUMBER_WEIGHTS


def grade_sql(id_expr: str) -> str:
    """The stored grade the generator gives enterprise ``id``: 30 % gray, 60 % green, 7 % yellow, 3 % red."""
    h = f"(({id_expr})::bigint * 2654435761 % 100)"
    return f"(CASE WHEN {h} < 30 THEN 'gray' WHEN {h} < 90 THEN 'green' WHEN {h} < 97 THEN 'yellow' ELSE 'red' END)"


def credit_code_sql(body: str) -> str:
    """GB 32100 check character of a 17-digit body, in SQL (a digit's index in the alphabet is its value)."""
    total = " + ".join(f"substr({body}, {k + 1}, 1)::int * {w}" for k, w in enumerate(CREDIT_CODE_WEIGHTS))
    return f"{body} || substr('{CREDIT_CODE_ALPHABET}', ((31 - ({total}) % 31) % 31) + 1, 1)"


def id_number_sql(body: str) -> str:
    total = " + ".join(f"substr({body}, {k + 1}, 1)::int * {w}" for k, w in enumerate(ID_NUMBER_WEIGHTS))
    return f"{body} || substr('{ID_NUMBER_CHECK}', (({total}) % 11) + 1, 1)"


def _prepare(sql: str, params):
    """The SQL here writes the modulo operator as `` % ``; with parameters the driver needs it doubled."""
    return (sql.replace(" % ", " %% "), params) if params else (sql, None)


def scalar(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(*_prepare(sql, params))
        return cursor.fetchone()[0]


def execute(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(*_prepare(sql, params))
        return cursor.rowcount


def next_id(table: str) -> int:
    return scalar(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")


def sync_sequence(table: str) -> None:
    execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))")
