// Case-insensitive "contains" on both engines: the same LIKE, with the searched text's own % and _ taken
// literally.
import { sql, type Expression, type SqlBool } from 'kysely';

/** The LIKE pattern for text containing `text`, with LIKE's wildcards and the escape character escaped. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Whether `value` contains `text`, ignoring case. PostgreSQL's LIKE is case-sensitive and SQLite's is not,
 * so both sides are lower-cased, by the database: SQLite's lower() folds ASCII only, and folding the text
 * in JavaScript would then miss "Élodie" typed exactly as stored. The explicit ESCAPE makes a backslash the
 * escape character on both engines.
 */
export function containsText(value: Expression<string | null>, text: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(${value}) like lower(${containsPattern(text)}) escape '\\'`;
}
