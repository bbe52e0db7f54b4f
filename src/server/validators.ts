import { AjvCompiler } from "@fastify/ajv-compiler";
import type { FastifySchemaCompiler } from "fastify";

const COMMON = { removeAdditional: false, allErrors: false } as const;
const factory = AjvCompiler();
/** Query strings and path parameters arrive as text: "5" may become 5, one value an array of one. */
const textual = factory({}, { customOptions: { ...COMMON, coerceTypes: "array" } });
/** A JSON body already has types: a number where a string belongs is refused, not converted. */
const typed = factory({}, { customOptions: { ...COMMON, coerceTypes: false } });

/** The validator compiler of every route: coercion for the textual parts only. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = (route) =>
  (route.httpPart === "body" ? typed : textual)(route as Parameters<typeof typed>[0]);
