/** The public shapes of the bench: what a scenario receives, what it returns, how it is registered. */

/** Which gateway a run measures. `janus` is the reference: Janus 1.1.2 from Debian, media scenarios only. */
export type GatewayKind = 'cardea' | 'janus';

/** Options a scenario's `run()` receives (parsed from `npm run bench -- <scenario> ...`). */
export interface ScenarioOptions {
  /** Gateway under test (default `cardea`). */
  gateway: GatewayKind;
  /**
   * Highest load level; each scenario says what it counts (signalling: concurrent clients,
   * default 32). Undefined: the scenario's own default.
   */
  max?: number;
  /** Short windows and fewer load levels, for smoke tests and CI (default false). */
  quick: boolean;
  /** Called as the run advances; `fraction` in [0, 1] of the whole run. Default: no progress output. */
  onProgress?: (fraction: number, label: string) => void;
}

/** What a scenario returns; the runner adds machine info and package versions and writes it as JSON. */
export interface ScenarioResult {
  /** Scenario name, as registered (`signalling`). */
  scenario: string;
  gateway: GatewayKind;
  /** Short human summary (a table, a few lines), printed on stdout. */
  summary: string;
  /** Every number the scenario measured, JSON-serialisable; the `result` field of the JSON file. */
  data: Record<string, unknown>;
}

/** One benchmark: registered by name in `scenarios/index.ts`. */
export interface Scenario {
  /** One line for `npm run bench -- --help`. */
  description: string;
  /**
   * A media scenario: runs against `cardea` and `janus`, inside the bench network namespace when
   * one can be made (default false: Cardea only, no namespace).
   */
  media?: boolean;
  /** A media scenario that only Cardea can run (a Cardea-only option such as `mixing: 'auto'`); default false. */
  cardeaOnly?: boolean;
  /** Why a `cardeaOnly` scenario cannot run on Janus (printed when `--gateway janus|both` is asked). */
  cardeaOnlyReason?: string;
  /**
   * Writes the comparative report from the latest results in `outDir` and returns the files written;
   * default for media scenarios: the campaign report (report/campaignReport.ts).
   */
  report?(outDir: string, options: { docs: boolean }): Promise<string[]>;
  run(options: ScenarioOptions): Promise<ScenarioResult>;
}
