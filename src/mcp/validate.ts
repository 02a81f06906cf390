/**
 * Checking a tool's arguments against its JSON schema before it runs, with Ajv (the validator
 * the MCP SDK itself uses). Schemas are compiled once per schema object; a failure names the
 * field (`path.to.field`).
 */
import Ajv, { type ValidateFunction } from "ajv";
import { GatewayError } from "../core/errors.ts";

const ajv = new Ajv({ allErrors: false, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

export function checkArguments(tool: string, schema: Record<string, unknown>, args: unknown): void {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(args)) return;
  const e = validate.errors?.[0];
  const missing =
    e?.keyword === "required"
      ? (e.params as { missingProperty?: string }).missingProperty
      : undefined;
  const path = [e?.instancePath.split("/").filter(Boolean).join(".") ?? "", missing ?? ""]
    .filter(Boolean)
    .join(".");
  const param = path ? `arguments.${path}` : "arguments";
  throw new GatewayError(
    "INVALID_REQUEST",
    `Invalid '${param}' for tool "${tool}": ${e?.message ?? "does not match the tool's schema"}.`,
    {
      param,
    },
  );
}
