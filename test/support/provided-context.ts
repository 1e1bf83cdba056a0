// What the global setup hands to every test file through Vitest's inject().
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Name of the migrated PostgreSQL database each test file copies. */
    pgTemplate: string;
  }
}
