/**
 * Schema migrations for plugins that keep tables: numbered lists of SQL steps, applied once each
 * and recorded in `<name>_migrations`. On PostgreSQL they run in one transaction under an
 * advisory lock, so instances starting together apply each step exactly once.
 */
import type { Database } from "bun:sqlite";
import type { Sql } from "postgres";

/** Migration `i + 1` is `steps[i]`: SQL statements, run in order. */
export type Migrations = readonly (readonly string[])[];

export function migrateSqlite(db: Database, name: string, migrations: Migrations): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${name}_migrations (version INTEGER PRIMARY KEY)`);
  const done = new Set(
    (db.query(`SELECT version FROM ${name}_migrations`).all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  db.transaction(() => {
    migrations.forEach((steps, i) => {
      if (done.has(i + 1)) return;
      for (const sql of steps) db.exec(sql);
      db.query(`INSERT INTO ${name}_migrations (version) VALUES (?)`).run(i + 1);
    });
  })();
}

/** A stable advisory lock id per migration set, from its name. */
function lockId(name: string): number {
  let h = 0;
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

export async function migratePostgres(
  sql: Sql,
  name: string,
  migrations: Migrations,
): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${lockId(name)})`;
    await tx.unsafe(`CREATE TABLE IF NOT EXISTS ${name}_migrations (version INTEGER PRIMARY KEY)`);
    const rows = await tx.unsafe(`SELECT version FROM ${name}_migrations`);
    const done = new Set(rows.map((r) => Number(r.version)));
    for (const [i, steps] of migrations.entries()) {
      if (done.has(i + 1)) continue;
      for (const step of steps) await tx.unsafe(step);
      await tx.unsafe(`INSERT INTO ${name}_migrations (version) VALUES ($1)`, [i + 1]);
    }
  });
}
