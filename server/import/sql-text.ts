/** Quotes an identifier taken from a file header or a mapping. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL string literal, for statements that cannot take a bound parameter (EXPORT DATABASE, a subquery text). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A VARCHAR column value with surrounding blanks removed; empty means NULL. */
export function cleanText(column: string): string {
  return `nullif(trim(${ident(column)}), '')`;
}
