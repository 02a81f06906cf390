/** SQL helpers for plugin stores that run on both SQLite and PostgreSQL. */
/**
 * A WHERE clause built condition by condition, for stores that run on SQLite and PostgreSQL:
 * each `?` in a condition becomes `param(n)` (`?` or `$n`) for the next value.
 */
export function whereClause<V = unknown>(param: (n: number) => string) {
  const clauses: string[] = [];
  const values: V[] = [];
  return {
    add(condition: string, ...vs: V[]): void {
      let out = condition;
      for (const v of vs) {
        values.push(v);
        out = out.replace("?", param(values.length));
      }
      clauses.push(out);
    },
    done(): { sql: string; values: V[] } {
      return { sql: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", values };
    },
  };
}
