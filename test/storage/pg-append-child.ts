/**
 * A writer process for the multi-process append test: appends `batches`
 * batches of `size` evidence records to the PostgreSQL database at `url`,
 * then prints the first index of each batch it was given.
 */
import { openPostgresStores } from "../../src/app/postgres-stores.js";
import { projectEvidence } from "../../src/domains/evidence/evidence-record.js";
import { evidenceItem } from "./conformance.js";
import { randomBytes } from "node:crypto";

const [url, batches, size] = process.argv.slice(2) as [string, string, string];
const s = await openPostgresStores(url);
const firsts: number[] = [];
try {
  for (let b = 0; b < Number(batches); b++) {
    const items = Array.from({ length: Number(size) }, () => evidenceItem(randomBytes(48)));
    firsts.push((await s.log.append(items, projectEvidence)).first);
  }
} finally {
  await s.close();
}
process.stdout.write(`${JSON.stringify(firsts)}\n`);
