import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { PROBLEM_TYPE, problem, type HttpCode } from "./problem.js";

/** Node's parser errors, before any request exists, by their codes (anything else is a bad request). */
const PARSER: Readonly<Record<string, [HttpCode | "INPUT_INVALID", string]>> = {
  ERR_HTTP_REQUEST_TIMEOUT: ["REQUEST_TIMEOUT", "the request did not complete in time"],
  HPE_HEADER_OVERFLOW: ["HEADERS_TOO_LARGE", "the request headers are larger than the limit"],
};

/**
 * Fastify's clientErrorHandler: a request Node's HTTP parser refused
 * (malformed, headers over the limit, too slow) is answered with a problem
 * like every other refusal, then the connection is closed. Nothing reaches a
 * route, so nothing is written.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const [code, detail] = PARSER[err.code ?? ""] ?? ["INPUT_INVALID", "malformed HTTP request"];
  const p = problem(code, detail);
  const body = JSON.stringify(p);
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${p.status} ${STATUS_CODES[p.status] ?? ""}\r\n` +
        `content-type: ${PROBLEM_TYPE}; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `connection: close\r\n\r\n${body}`,
    );
  socket.destroy();
}
