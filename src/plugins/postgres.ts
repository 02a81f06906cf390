/**
 * A PostgreSQL pool (`postgres`) as the built-in plugins guard it: each query has a deadline, a
 * server that misses it or cannot be reached is down, and queries then fail at once until a
 * `SELECT 1` answers again (`dependency.ts`). An error the server answered (a constraint) leaves
 * it up.
 */
import postgres, { type Sql } from "postgres";
import { guardDependency, type Dependency } from "./dependency.ts";

export function guardPostgres(
  sql: Sql,
  options: { timeoutMs: number; onChange?(up: boolean, cause?: unknown): void },
): Dependency {
  return guardDependency({
    name: "postgres",
    timeoutMs: options.timeoutMs,
    probe: () => sql`SELECT 1`,
    isServerError: (err) => err instanceof postgres.PostgresError,
    ...(options.onChange ? { onChange: options.onChange } : {}),
  });
}
