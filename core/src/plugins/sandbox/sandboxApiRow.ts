import type { PluginApi } from '@cardea/plugin-sdk';
import type { z } from 'zod';

/**
 * One row of the sandbox's API table: the schema of a wire operation's argument list, and how it
 * maps onto the core's plugin API (with the sandbox policy applied on the way).
 */
export interface ApiRow {
  readonly args: z.ZodTuple;
  /** Number of arguments: shorter lists are padded with `null` (omitted optionals), longer ones cut. */
  readonly arity: number;
  run(api: PluginApi, args: readonly unknown[]): Promise<unknown>;
}

/** A set of rows by operation name. */
export type ApiRows = Readonly<Record<string, ApiRow>>;

/** A row: `run` receives the arguments as `args` parsed them. */
export function row<S extends z.ZodTuple>(
  args: S,
  run: (api: PluginApi, args: z.output<S>) => Promise<unknown>,
): ApiRow {
  return { args, arity: args.def.items.length, run };
}
