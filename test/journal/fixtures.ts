import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Test vectors under test/fixtures/tlog/ (provenance in SOURCES.md there).
 * Resolved from the compiled file, dist/test/journal/fixtures.js.
 */
const TLOG_DIR = new URL("../../../test/fixtures/tlog/", import.meta.url);

export function tlogPath(relative: string): string {
  return fileURLToPath(new URL(relative, TLOG_DIR));
}

/** Fixture JSON, typed by the caller: the vectors are ours, checked in, and read-only. */
export function loadJson<T>(relative: string): T {
  return JSON.parse(readFileSync(tlogPath(relative), "utf8")) as T;
}

/** Every *.json file below a fixture folder, as paths relative to it, sorted. */
export function listJson(relative: string): string[] {
  const files = readdirSync(tlogPath(relative), { recursive: true, encoding: "utf8" });
  return files.filter((f) => f.endsWith(".json")).sort();
}

export function hex(h: string): Buffer {
  return Buffer.from(h, "hex");
}
