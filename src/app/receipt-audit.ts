import {
  auditReceipts,
  RECEIPT_TYPES,
  type Leaf,
  type ReceiptAudit,
} from "../domains/access/receipt-audit.js";
import type { ReceiptQuery } from "../domains/access/receipt-query.js";
import { recordsOfType } from "../log/scan-records.js";
import type { LogReader } from "../storage/log-reader.js";

/** The receipt audit over the whole journal (runs are judged whole, so every receipt is read). */
export async function runReceiptAudit(log: LogReader, q: ReceiptQuery): Promise<ReceiptAudit> {
  const leaves: Leaf[] = [];
  for await (const l of recordsOfType(log, RECEIPT_TYPES, 0, await log.size())) leaves.push(l);
  return auditReceipts(leaves, q);
}
