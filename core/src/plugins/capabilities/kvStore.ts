import type { JsonObject, PluginStore } from '@cardea/plugin-sdk';

/** Limits of a plugin's store: keys held, and the serialised size of one value. */
export interface StoreLimits {
  /** Default 1000. */
  maxKeys?: number;
  /** Default 64 KiB. */
  maxValueBytes?: number;
}

/** The store of one plugin over `kv` (shared by all versions of a user plugin), with its limits checked. */
export function kvStore(kv: Map<string, JsonObject>, limits: StoreLimits = {}): PluginStore {
  const maxKeys = limits.maxKeys ?? 1000;
  const maxValueBytes = limits.maxValueBytes ?? 64 * 1024;
  return Object.freeze({
    get: async (key: string) => kv.get(key),
    set: async (key: string, value: JsonObject) => {
      if (JSON.stringify(value).length > maxValueBytes) throw new RangeError('store value too large');
      if (!kv.has(key) && kv.size >= maxKeys) throw new RangeError('store full');
      kv.set(key, structuredClone(value));
    },
    delete: async (key: string) => {
      kv.delete(key);
    },
  });
}
