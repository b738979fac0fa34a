import { AdminError, type AdminClient } from '../admin/AdminClient.ts';
import { UNKNOWN_REQUEST, type BuiltinPluginSource, type PluginSource } from '../admin/AdminTypes.ts';
import { filesBesideEntry, filesFromUpload } from '../deploy/pluginUpload.ts';
import { ENTRY_FILE, PluginProject, type DeployedVersion } from '../editor/PluginProject.ts';
import { deployedSources } from './sourceHistory.ts';

/** Where an opened plugin's files came from. */
export type SourceOrigin = 'gateway' | 'studio-history' | 'unavailable';

/** The files of a deployed version, from the gateway, else from what this browser deployed. */
export async function fetchSources(
  admin: AdminClient,
  name: string,
  hash: string | null,
): Promise<{ files: Record<string, string>; deployed?: DeployedVersion; origin: SourceOrigin }> {
  try {
    const source = await admin.request<PluginSource>('get_plugin_source', { name });
    return { files: filesFromUpload(source), deployed: { version: source.version, hash: source.hash }, origin: 'gateway' };
  } catch (error) {
    if (!(error instanceof AdminError) || error.unauthorized) throw error;
    if (error.code !== UNKNOWN_REQUEST) console.warn(`get_plugin_source ${name}: ${error.message}`);
  }
  const kept = hash !== null ? deployedSources(name, hash) : undefined;
  if (kept) return { files: kept.files, deployed: { version: kept.version, hash: kept.hash }, origin: 'studio-history' };
  return {
    files: {
      [ENTRY_FILE]: `// The gateway did not hand back the source of ${name} (no get_plugin_source),\n// and this browser did not deploy it. Write a new version here and deploy it.\n`,
    },
    origin: 'unavailable',
  };
}

/** Opens a deployed plugin, with this browser's unsaved edits of that version restored. */
export async function loadProject(
  admin: AdminClient,
  name: string,
  hash: string | null,
): Promise<{ project: PluginProject; origin: SourceOrigin }> {
  const { files, deployed, origin } = await fetchSources(admin, name, hash);
  const project = new PluginProject(name, files, deployed);
  const draft = PluginProject.draftFor(name, deployed?.hash ?? null);
  if (draft) {
    for (const [path, text] of Object.entries(draft)) {
      const model = project.model(path);
      if (model) model.setValue(text);
      else if (PluginProject.validFileName(path)) project.addFile(path, text);
    }
  }
  return { project, origin };
}

/** Opens a built-in's sources read-only (`get_builtin_source`): to read, and to fork. */
export async function loadBuiltin(admin: AdminClient, name: string): Promise<{ project: PluginProject; version: string }> {
  const source = await admin.request<BuiltinPluginSource>('get_builtin_source', { name });
  const beside = filesBesideEntry(source.files, source.entry);
  if (!beside) throw new Error(`${name} starts from ${source.entry}; the studio expects an ${ENTRY_FILE}`);
  const files = Object.fromEntries(Object.entries(beside).filter(([path]) => PluginProject.validFileName(path)));
  return { project: new PluginProject(name, files, undefined, { readOnly: true }), version: source.version };
}
