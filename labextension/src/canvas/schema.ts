// The little JSON Schema the catalog uses: types, enums, bounds, lengths. The kernel
// checks again with the engine's own rules; this only gives feedback while typing.
import type { JsonSchema } from "./types";

export function types(schema: JsonSchema): string[] {
  if (schema.enum) return ["enum"];
  const t = schema.type;
  return Array.isArray(t) ? t : t ? [t] : [];
}

export function nullable(schema: JsonSchema): boolean {
  return types(schema).includes("null") || (schema.enum ?? []).includes(null);
}

/** Text typed in a field -> a JSON value, or an error message. */
export function parse(schema: JsonSchema, text: string): { value?: unknown; error?: string } {
  const kinds = types(schema);
  const trimmed = text.trim();
  if (trimmed === "" && nullable(schema)) return { value: null };
  if (kinds.includes("integer") || kinds.includes("number")) {
    if (trimmed === "") return { error: "enter a number" };
    const value = Number(trimmed);
    if (!Number.isFinite(value)) return { error: `'${trimmed}' is not a number` };
    if (kinds.includes("integer") && !kinds.includes("number") && !Number.isInteger(value))
      return { error: "enter a whole number" };
    return check(schema, value);
  }
  if (kinds.includes("array")) {
    const items = trimmed === "" ? [] : trimmed.split(",").map((s) => s.trim()).filter((s) => s !== "");
    const itemKinds = types(schema.items ?? {});
    if (itemKinds.includes("integer") || itemKinds.includes("number")) {
      const numbers = items.map(Number);
      if (numbers.some((n) => !Number.isFinite(n))) return { error: "enter numbers separated by commas" };
      return check(schema, numbers);
    }
    return check(schema, items);
  }
  if (kinds.includes("string")) return check(schema, text);
  try {
    return check(schema, JSON.parse(text));
  } catch {
    return { error: "enter a JSON value" };
  }
}

export function check(schema: JsonSchema, value: unknown): { value?: unknown; error?: string } {
  if (value === null && nullable(schema)) return { value };
  if (schema.enum && !schema.enum.some((v) => v === value)) return { error: `choose one of ${schema.enum.join(", ")}` };
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) return { error: `must be at least ${schema.minimum}` };
    if (schema.maximum !== undefined && value > schema.maximum) return { error: `must be at most ${schema.maximum}` };
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum)
      return { error: `must be more than ${schema.exclusiveMinimum}` };
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum)
      return { error: `must be less than ${schema.exclusiveMaximum}` };
  }
  if (typeof value === "string") {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      return { error: schema.minLength === 1 ? "must not be empty" : `needs at least ${schema.minLength} characters` };
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      return { error: `at most ${schema.maxLength} characters` };
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) return { error: `must match ${schema.pattern}` };
  }
  return { value };
}

/** A JSON value -> the text shown in its field. */
export function format(schema: JsonSchema, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.join(", ");
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}
