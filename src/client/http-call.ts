import { errorFrom, unreachable } from "./http-errors.js";

export interface Remote {
  /** The server's origin and base path, e.g. http://127.0.0.1:7070 (no trailing slash). */
  readonly base: string;
  readonly token: string | undefined;
  /** Sent as Vigil-Tenant when the user named a tenant; otherwise the token's own tenant applies. */
  readonly tenant: string | undefined;
}

export interface Call {
  readonly method?: "GET" | "POST";
  readonly query?: URLSearchParams;
  readonly body?: RequestInit["body"];
  readonly headers?: Readonly<Record<string, string>>;
  /** Statuses that are answers, not failures (e.g. 404 for `exists`, 409 for a conflicting add). */
  readonly accept?: readonly number[];
}

/** One request to the server: authenticated, tenant named, failures as VigilErrors. */
export async function call(r: Remote, path: string, c: Call = {}): Promise<Response> {
  const qs = c.query === undefined || c.query.size === 0 ? "" : `?${c.query.toString()}`;
  const headers: Record<string, string> = { ...c.headers };
  if (r.token !== undefined) headers.authorization = `Bearer ${r.token}`;
  if (r.tenant !== undefined) headers["vigil-tenant"] = r.tenant;
  const init: RequestInit & { duplex?: "half" } = { method: c.method ?? "GET", headers };
  if (c.body !== undefined) Object.assign(init, { body: c.body, duplex: "half" });
  let res: Response;
  try {
    res = await fetch(`${r.base}${path}${qs}`, init);
  } catch (e) {
    throw unreachable(r.base, e);
  }
  if (res.ok || (c.accept ?? []).includes(res.status)) return res;
  throw await errorFrom(res, `${init.method} ${path}`);
}

/** A JSON answer. */
export async function json<T>(r: Remote, path: string, c: Call = {}): Promise<T> {
  return (await (await call(r, path, c)).json()) as T;
}
