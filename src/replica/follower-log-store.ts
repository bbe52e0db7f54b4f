import { VigilError } from "../errors.js";
import type { AppendItem, AppendResult, Projector } from "../storage/log-store.js";
import type { SqliteDatabase } from "../storage/sqlite/driver.js";
import { SqliteLogStore } from "../storage/sqlite/sqlite-log-store.js";

/**
 * A replica's journal: it only ever receives its source's records, verbatim,
 * through `appendReplicated`. Any other append (evidence, lifecycle records,
 * verification reports) is refused, so the follower can never fork from the
 * log it copies.
 */
export class FollowerLogStore extends SqliteLogStore {
  constructor(
    db: SqliteDatabase,
    private readonly origin: string,
  ) {
    super(db);
  }

  override append(_items: readonly AppendItem[], _project: Projector): Promise<AppendResult> {
    return Promise.reject(refusal(this.origin, "add records"));
  }

  /** The replicator's path: records copied from the source, checked by the caller. */
  appendReplicated(items: readonly AppendItem[], project: Projector): Promise<AppendResult> {
    return super.append(items, project);
  }
}

/** The error every write to a replica gets: it names the source to write to instead. */
export function refusal(origin: string, what: string): VigilError {
  return new VigilError(
    "CONFLICT",
    `this locker is a read-only replica of ${origin}: it cannot ${what}; do that on the source locker`,
  );
}
