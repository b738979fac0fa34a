// Cardea Studio's entry: sign in with the admin secret, then the workbench.
import './styles.css';
import { AdminClient } from './admin/AdminClient.ts';
import { forgetSecret, storedSecret } from './auth/secretStore.ts';
import { showLogin, type SignedIn } from './auth/LoginView.ts';
import { loadConfig, type StudioConfig } from './config/StudioConfig.ts';
import { setupMonaco } from './editor/monacoSetup.ts';
import { applyTheme, initialTheme } from './ui/theme.ts';
import { Workbench } from './workbench/Workbench.ts';

/** Signs in again silently with this tab's stored secret, if it still works. */
async function resume(config: StudioConfig): Promise<SignedIn | undefined> {
  const secret = storedSecret();
  if (!secret) return undefined;
  const admin = new AdminClient(config.adminUrl, secret);
  try {
    await admin.connect();
    await admin.request('get_status');
    return { admin, config };
  } catch (error) {
    console.warn('stored admin secret no longer works', error);
    admin.close();
    forgetSecret();
    return undefined;
  }
}

async function main(): Promise<void> {
  const root = document.getElementById('app');
  if (!root) throw new Error('#app missing');
  setupMonaco();
  applyTheme(initialTheme());
  const { config } = await loadConfig();
  const signedIn = (await resume(config)) ?? (await showLogin(root, config));
  const workbench = new Workbench(signedIn.admin, signedIn.config, () => {
    forgetSecret();
    signedIn.admin.close();
    location.reload();
  });
  root.replaceChildren(workbench.element);
  workbench.start();
}

void main();
