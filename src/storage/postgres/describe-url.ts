/** The URL as a safe label for messages: no password, no query. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgresql://${u.username ? `${u.username}@` : ""}${u.host}${u.pathname}`;
  } catch {
    return "(invalid database URL)";
  }
}
