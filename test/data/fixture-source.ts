/**
 * Test setup shared by the source tests: an environment whose relative paths resolve in
 * `test/fixtures/data/<folder>/`, and sources built from their registry item the way a
 * config builds them (options parsed by the item's schema, defaults filled in).
 */
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { DatasetSource } from '../../core/kernel/extension-points/dataset-source.js';
import type { ItemDefinition, ItemEnvironment } from '../../core/kernel/item.js';

export function fixtureEnv(folder: string, warn: (message: string) => void = () => undefined): ItemEnvironment {
  return { baseDir: fileURLToPath(new URL(`../fixtures/data/${folder}/`, import.meta.url)), warn };
}

export function sourceFactory<Schema extends z.ZodType>(
  item: ItemDefinition<Schema, DatasetSource | Promise<DatasetSource>>,
  env: ItemEnvironment,
): (options?: Record<string, unknown>) => Promise<DatasetSource> {
  return async (options = {}) => item.create(item.options.parse(options), env);
}
