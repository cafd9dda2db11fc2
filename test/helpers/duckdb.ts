// DuckDB (an independent Parquet reader) for tests: loaded lazily; a missing
// install skips the test locally and fails it under CI.
import type { TestContext } from 'node:test';

export type DuckDB = typeof import('@duckdb/node-api');

export async function requireDuckDB(t: TestContext): Promise<DuckDB | undefined> {
  try {
    return await import('@duckdb/node-api');
  } catch {
    if (process.env.CI) throw new Error('@duckdb/node-api must be installed in CI');
    t.skip('@duckdb/node-api is not installed');
    return undefined;
  }
}

/** Runs `body` with a fresh in-memory connection, closed afterwards. */
export async function withConnection<T>(
  duckdb: DuckDB,
  body: (
    c: Awaited<ReturnType<Awaited<ReturnType<DuckDB['DuckDBInstance']['create']>>['connect']>>,
  ) => Promise<T>,
): Promise<T> {
  const instance = await duckdb.DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return await body(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

type Connection = Parameters<Parameters<typeof withConnection>[1]>[0];

/** Column name -> DuckDB type of a Parquet file, as DuckDB reads it. */
export async function parquetColumnTypes(
  connection: Connection,
  file: string,
): Promise<Record<string, string>> {
  const described = await connection.runAndReadAll(
    `DESCRIBE SELECT * FROM read_parquet('${file}')`,
  );
  return Object.fromEntries(
    described.getRowObjects().map((r) => [String(r.column_name), String(r.column_type)]),
  );
}
