import { AdminError, type AdminClient } from '../admin/AdminClient.ts';
import type { DeployOutcome } from '../admin/AdminTypes.ts';
import { projectUpload } from '../deploy/pluginUpload.ts';
import { ENTRY_FILE, type PluginProject } from '../editor/PluginProject.ts';
import { typecheckProject, type Problem } from '../editor/typecheck.ts';
import { Emitter } from '../ui/Emitter.ts';
import { fetchSources } from './ProjectLoader.ts';
import { rememberDeployed } from './sourceHistory.ts';

/** Progress and results of deploys, for the status bar, the toolbar and the panels. */
export type DeployEvents = {
  busy: [what: string | undefined];
  /** The last check's problems (empty after a clean check). */
  problems: [problems: Problem[]];
  deployed: [name: string, outcome: DeployOutcome];
  rolledBack: [name: string, outcome: DeployOutcome];
  failed: [message: string];
};

/** `compile failed: room.ts:3:14: Expected ";" but found "x"` (or without the file: the entry) → problems. */
function compileProblems(message: string): Problem[] {
  const problems: Problem[] = [];
  for (const m of message.matchAll(/(?:^|\n)(?:compile failed: )?(?:([\w./-]+\.m?[jt]s):)?(\d+):(\d+): ([^\n]+)/g)) {
    problems.push({ path: m[1] ?? ENTRY_FILE, line: Number(m[2]), column: Number(m[3]) + 1, message: m[4] ?? '', code: 0 });
  }
  return problems;
}

/**
 * Deploy, hot reload and rollback from the studio. A deploy typechecks every file first (errors
 * become markers and nothing is sent), then sends the files in one `deploy_plugin { files, entry }`;
 * the gateway bundles them and hot-reloads a running plugin, moving its handles to the new version.
 */
export class DeployController {
  readonly events = new Emitter<DeployEvents>();
  readonly #admin: AdminClient;
  #busy = false;

  constructor(admin: AdminClient) {
    this.#admin = admin;
  }

  get busy(): boolean {
    return this.#busy;
  }

  /** Checks, bundles and deploys the project; resolves with the outcome, or undefined if refused or failed. */
  async deploy(project: PluginProject): Promise<DeployOutcome | undefined> {
    if (this.#busy) return undefined;
    this.#busy = true;
    try {
      this.events.emit('busy', 'Checking types…');
      const problems = await typecheckProject(project);
      this.events.emit('problems', problems);
      if (problems.length > 0) {
        this.events.emit('failed', `Not deployed: ${problems.length} error${problems.length === 1 ? '' : 's'} (see Problems)`);
        return undefined;
      }
      const files = project.sources();
      this.events.emit('busy', `Deploying ${project.name}…`);
      const reply = await this.#admin.request<{ plugin: DeployOutcome }>('deploy_plugin', { name: project.name, ...projectUpload(files) });
      const outcome = reply.plugin;
      project.markDeployed({ version: outcome.version, hash: outcome.hash }, files);
      rememberDeployed(project.name, { hash: outcome.hash, version: outcome.version, files });
      this.events.emit('deployed', project.name, outcome);
      return outcome;
    } catch (error) {
      const message = (error as Error).message;
      const problems = error instanceof AdminError ? compileProblems(message) : [];
      if (problems.length > 0) this.events.emit('problems', problems);
      this.events.emit('failed', `Deploy failed: ${message}`);
      return undefined;
    } finally {
      this.#busy = false;
      this.events.emit('busy', undefined);
    }
  }

  /**
   * Makes the previous version serve again; when `project` is that plugin's open project, its
   * files become the previous version's sources.
   */
  async rollback(name: string, project: PluginProject | undefined): Promise<DeployOutcome | undefined> {
    if (this.#busy) return undefined;
    this.#busy = true;
    try {
      this.events.emit('busy', `Rolling back ${name}…`);
      const { plugin: outcome } = await this.#admin.request<{ plugin: DeployOutcome }>('rollback_plugin', { name });
      if (project?.name === name) {
        const { files, deployed, origin } = await fetchSources(this.#admin, name, outcome.hash);
        if (origin !== 'unavailable') project.replaceAll(files, deployed ?? { version: outcome.version, hash: outcome.hash });
      }
      this.events.emit('rolledBack', name, outcome);
      return outcome;
    } catch (error) {
      this.events.emit('failed', `Rollback failed: ${(error as Error).message}`);
      return undefined;
    } finally {
      this.#busy = false;
      this.events.emit('busy', undefined);
    }
  }
}
