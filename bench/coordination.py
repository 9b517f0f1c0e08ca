"""Issue 16, point 6: the coordination of the bench month, set-based and chunked, against the one hand-written
SQL statement (``bench.sweeps.coordination_sql``) at the city (1/11 of the entries) and the province (all
entries: 200,000 at full size and at ``--scale tenth``). The product runs in a process of its own
(``bench/sweep_worker.py``: time, peak RSS growth); the data is put back as generated before each run. Goal:
product ≤ 3× the statement, memory flat (growth at the province ≤ 1.5× the growth at the city, or under 10 MB)."""

from . import dataset, sweeps

TIME_GOAL = 3.0
FLAT_GOAL = 1.5
FLAT_FLOOR_MB = 10.0


def run(scale: dataset.Scale, *, time_limit: float, log=print) -> list[dict]:
    return sweeps.coordination(scale, time_limit=time_limit, log=log)


def section(rows: list[dict]) -> str:
    lines = [
        "## Coordination of the month against one hand-written SQL statement (issue 16, point 6)",
        "",
        "The product: `coordination_run`, 500 enterprises per transaction (lock the entries, read their items, "
        "the grade policy and the open inspections, insert the inspections, their departments and items, update "
        "the entries, one audit insert). The statement: data-modifying CTEs doing the same rows' changes and "
        "audit rows. Ratio = product ÷ statement (goal ≤ 3×).",
        "",
        "| size | entries | product s | SQL s | product ÷ SQL | ≤ 3× | peak RSS MB | growth MB | product did | "
        "SQL did |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        ratio = round(row["seconds"] / row["sql_seconds"], 2) if row["sql_seconds"] else None
        ok = ratio is not None and ratio <= TIME_GOAL
        did = row["result"]
        product = f"executed={did.get('executed')}, cut={did.get('cut')}, inspections={did.get('inspections_created')}"
        sql = ", ".join(f"{k}={v}" for k, v in row["sql_result"].items())
        lines.append(
            f"| {row['size']} | {row['rows']:,} | {row['seconds']} | {row['sql_seconds']} | {ratio} | "
            f"{'met' if ok else '**missed**'} | {row['peak_rss_mb']} | {row['growth_mb']} | {product} | {sql} |"
        )
    if len(rows) >= 2:
        small, large = rows[0]["growth_mb"], rows[-1]["growth_mb"]
        flat = large <= FLAT_FLOOR_MB or (small > 0 and large / small <= FLAT_GOAL)
        lines += [
            "",
            f"Memory growth: {small} MB at {rows[0]['rows']:,} entries, {large} MB at {rows[-1]['rows']:,} "
            f"(flat: {'met' if flat else '**missed**'}).",
        ]
    return "\n".join(lines) + "\n"
