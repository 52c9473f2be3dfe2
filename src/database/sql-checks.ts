/** `"column" IN ('a', 'b')` for a CHECK constraint built from the same list the API validates against. */
export function inList(column: string, values: readonly string[], nullable = false): string {
  const check = `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;
  return nullable ? `"${column}" IS NULL OR ${check}` : check;
}
