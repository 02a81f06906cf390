/**
 * A PostgreSQL schema of a test file's own on the machine's real server, made before its tests
 * and dropped after, so that runs never see each other's tables.
 */
import { afterAll, beforeAll } from "bun:test";
import postgres from "postgres";

export const PG_URL =
  process.env.SWITCHYARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TestSchema {
  readonly name: string;
  /** The server URL with `search_path` set to this schema, for code under test. */
  readonly url: string;
  /** A connection for the test itself (making more schemas, reading tables). */
  readonly sql: postgres.Sql;
}

export function useTestSchema(prefix: string): TestSchema {
  const name = `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
  beforeAll(async () => {
    await sql.unsafe(`CREATE SCHEMA ${name}`);
  });
  afterAll(async () => {
    await sql.unsafe(`DROP SCHEMA ${name} CASCADE`);
    await sql.end();
  });
  return { name, url: `${PG_URL}?search_path=${name}`, sql };
}
