/**
 * The narrow shape of node-postgres that the adapter uses (STYLE 4): a pool
 * hands out clients; both run parameterised queries.
 */
export interface PgResult {
  readonly rows: Record<string, unknown>[];
  readonly rowCount: number | null;
}

export interface PgQueryable {
  query(text: string, values?: readonly unknown[]): Promise<PgResult>;
}

export interface PgClient extends PgQueryable {
  /** Back to the pool; with an error the connection is destroyed instead (it may be broken). */
  release(err?: Error | boolean): void;
  /** A checked-out client reports a dropped connection here as well as to the pending query. */
  on(event: "error", listener: (err: Error) => void): unknown;
  off(event: "error", listener: (err: Error) => void): unknown;
}

export interface PgPool extends PgQueryable {
  connect(): Promise<PgClient>;
  end(): Promise<void>;
}
