import { open } from "node:fs/promises";
import { fsError, VigilError } from "../errors.js";

const MAX_KEY_FILE = 4096;
const MAX_CHECKPOINT_FILE = 64 * 1024;
/** Errors that mean "no such file": the value is then the key text itself. */
const NOT_A_PATH = ["ENOENT", "ENOTDIR", "ENAMETOOLONG"];

/**
 * --trusted-key: the verifier key itself ("<name>+<hex id>+<base64>"), or a
 * file holding it. A value that names an existing file is read; anything else
 * is taken as the key text (and parsed later, failing as a key problem).
 */
export async function loadTrustedKey(value: string): Promise<string> {
  const text = await readSmall(value, MAX_KEY_FILE, "KEY_INVALID").catch((e: unknown) => {
    if (e instanceof VigilError) throw e;
    if (NOT_A_PATH.includes((e as NodeJS.ErrnoException).code ?? "")) return null;
    throw fsError(value, e, "cannot read trusted key file");
  });
  return (text ?? value).trim();
}

/** --since-checkpoint FILE: a signed note, read with a size cap. */
export async function loadCheckpointFile(path: string): Promise<string> {
  try {
    return await readSmall(path, MAX_CHECKPOINT_FILE, "INPUT_INVALID");
  } catch (e) {
    if (e instanceof VigilError) throw e;
    throw fsError(path, e, "cannot read");
  }
}

async function readSmall(path: string, max: number, code: "KEY_INVALID" | "INPUT_INVALID"): Promise<string> {
  const fh = await open(path, "r");
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new VigilError(code, `${path} is not a regular file`);
    if (st.size > max) throw new VigilError(code, `${path} is larger than ${max} bytes`);
    return (await fh.readFile()).toString("utf8");
  } finally {
    await fh.close();
  }
}
