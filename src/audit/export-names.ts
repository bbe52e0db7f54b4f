/** File names of audit exports: audit-YYYY-MM-DD[.partial].jsonl and its .sha256. */
export interface ExportName {
  readonly day: string;
  readonly partial: boolean;
  readonly checksum: boolean;
}

const NAME = /^audit-(\d{4}-\d{2}-\d{2})(\.partial)?\.jsonl(\.sha256)?$/;

export function exportFileName(day: string, partial: boolean): string {
  return `audit-${day}${partial ? ".partial" : ""}.jsonl`;
}

export function checksumFileName(day: string, partial: boolean): string {
  return `${exportFileName(day, partial)}.sha256`;
}

/** The export a file name denotes, or null for any other file (which retention never touches). */
export function parseExportName(name: string): ExportName | null {
  const m = NAME.exec(name);
  if (m === null) return null;
  return { day: m[1] as string, partial: m[2] !== undefined, checksum: m[3] !== undefined };
}
