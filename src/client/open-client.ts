import type { Readable } from "node:stream";
import { openLocker } from "../app/open-locker.js";
import { HttpClient } from "./http-client.js";
import type { Remote } from "./http-call.js";
import { LocalClient } from "./local-client.js";
import type { VigilClient } from "./vigil-client.js";

/** Where a command's evidence lives: a locker directory here, or a server. */
export type Target =
  | { readonly kind: "local"; readonly data: string; readonly tenant: string; readonly databaseUrl?: string }
  | { readonly kind: "remote"; readonly remote: Remote };

/** The one place that picks and builds a client adapter (a local locker on either backend). */
export async function openClient(t: Target, stdin: Readable): Promise<VigilClient> {
  return t.kind === "local"
    ? new LocalClient(await openLocker(t.data, { databaseUrl: t.databaseUrl }), t.tenant, stdin)
    : new HttpClient(t.remote, stdin);
}
