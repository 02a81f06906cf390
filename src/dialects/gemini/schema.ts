/** Gemini's OpenAPI-style schemas (`"type": "OBJECT"`) as JSON Schema (`"type": "object"`). */
import type { JsonObject, JsonValue } from "../../core/chat.ts";

export function toJsonSchema(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(toJsonSchema);
  if (typeof value !== "object" || value === null) return value;
  const out: JsonObject = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      key === "type" && typeof inner === "string"
        ? inner.toLowerCase()
        : key === "properties" &&
            typeof inner === "object" &&
            inner !== null &&
            !Array.isArray(inner)
          ? Object.fromEntries(Object.entries(inner).map(([k, v]) => [k, toJsonSchema(v)]))
          : toJsonSchema(inner);
  }
  return out;
}
