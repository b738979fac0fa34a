// The studio's own memory of what it deployed, per plugin and content hash, in localStorage. The
// gateway's copy (`get_plugin_source`) is the truth; this one lets a rollback or a reopened studio
// show the right files when the gateway cannot hand them back.

/** Files the studio deployed as one version. */
export interface DeployedSources {
  hash: string;
  version: string;
  files: Record<string, string>;
}

const PREFIX = 'cardea.studio.deployed.';
/** Versions remembered per plugin (the gateway keeps 10 for rollback). */
const KEEP = 10;

function read(name: string): DeployedSources[] {
  try {
    const list = JSON.parse(localStorage.getItem(PREFIX + name) ?? '[]') as unknown;
    return Array.isArray(list) ? (list as DeployedSources[]) : [];
  } catch (error) {
    console.warn(`ignoring unreadable deploy history of ${name}`, error);
    return [];
  }
}

export function rememberDeployed(name: string, entry: DeployedSources): void {
  const list = [...read(name).filter((e) => e.hash !== entry.hash), entry].slice(-KEEP);
  try {
    localStorage.setItem(PREFIX + name, JSON.stringify(list));
  } catch (error) {
    console.warn('deploy history not saved (storage full?)', error);
  }
}

export function deployedSources(name: string, hash: string): DeployedSources | undefined {
  return read(name).find((e) => e.hash === hash);
}

export function forgetDeployed(name: string): void {
  localStorage.removeItem(PREFIX + name);
}
