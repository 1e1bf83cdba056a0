// A fresh store and world for every test of a describe block, opened and disposed by its hooks.
import { afterEach, beforeEach } from 'vitest';
import type { Engine } from '../../src/db/dialect/engine.js';
import { buildWorld, type World } from './factories.js';
import { openTestStore, type TestStore } from './stores.js';

export interface WorldContext {
  /** The running test's store. */
  readonly db: TestStore;
  /** The running test's workspace, agents and channels, in that store. */
  readonly world: World;
}

/**
 * Registers a beforeEach that opens an empty store of the engine and builds a world in it, and an
 * afterEach that disposes the store. Call it in a describe block and read `db` and `world` from the
 * returned object inside tests and hooks; they are only there while a test runs.
 */
export function useWorld(engine: Engine, options: { poolSize?: number } = {}): WorldContext {
  let db: TestStore | undefined;
  let world: World | undefined;
  beforeEach(async () => {
    db = await openTestStore(engine, options);
    world = await buildWorld(db.store);
  });
  afterEach(async () => {
    const open = db;
    db = undefined;
    world = undefined;
    await open?.dispose();
  });
  const running = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useWorld: the store and world exist only while a test runs');
    return value;
  };
  return {
    get db() {
      return running(db);
    },
    get world() {
      return running(world);
    },
  };
}
