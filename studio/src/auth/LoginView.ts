import { AdminClient, AdminError } from '../admin/AdminClient.ts';
import { saveConfig, type StudioConfig } from '../config/StudioConfig.ts';
import { h } from '../ui/dom.ts';
import { storeSecret } from './secretStore.ts';

/** What a successful sign-in hands to the workbench. */
export interface SignedIn {
  admin: AdminClient;
  config: StudioConfig;
}

/**
 * The sign-in screen: the admin secret (a password field, kept for this tab only), and the
 * gateway's endpoints under "Connection". The secret is checked with a real admin request before
 * the workbench opens.
 */
export function showLogin(root: HTMLElement, config: StudioConfig, message?: string): Promise<SignedIn> {
  return new Promise((resolve) => {
    const secret = h('input', {
      id: 'login-secret',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
      'aria-describedby': 'login-error',
    });
    const adminUrl = h('input', { id: 'login-admin-url', type: 'url', value: config.adminUrl, required: true, spellcheck: false });
    const janusUrl = h('input', { id: 'login-janus-url', type: 'text', value: config.janusUrl, required: true, spellcheck: false });
    const error = h('p', { id: 'login-error', class: 'login-error', role: 'alert' }, message ?? '');
    const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
    const form = h(
      'form',
      { class: 'login-card', 'aria-labelledby': 'login-title' },
      h(
        'div',
        { class: 'login-brand' },
        h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'C'),
        h('h1', { id: 'login-title' }, 'Cardea Studio'),
      ),
      h('p', { class: 'muted' }, 'Write a plugin, deploy it onto the running gateway, and talk to it — all from here.'),
      // Password managers and accessibility checkers expect a user name beside a password.
      h('input', {
        type: 'text',
        name: 'username',
        autocomplete: 'username',
        value: 'admin',
        hidden: true,
        'aria-hidden': 'true',
        tabindex: '-1',
      }),
      h('label', { for: 'login-secret' }, 'Admin secret'),
      secret,
      h(
        'details',
        { class: 'login-connection' },
        h('summary', null, 'Connection'),
        h('label', { for: 'login-admin-url' }, 'Admin API (WebSocket)'),
        adminUrl,
        h('label', { for: 'login-janus-url' }, 'Janus API (for the try-it client)'),
        janusUrl,
      ),
      error,
      button,
      h('p', { class: 'muted small' }, 'The secret is kept for this tab only and is sent only to the Admin API.'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const next: StudioConfig = { adminUrl: adminUrl.value.trim(), janusUrl: janusUrl.value.trim() };
      button.disabled = true;
      error.textContent = '';
      const admin = new AdminClient(next.adminUrl, secret.value);
      admin
        .connect()
        .then(() => admin.request('get_status'))
        .then(() => {
          storeSecret(secret.value);
          saveConfig(next);
          resolve({ admin, config: next });
        })
        .catch((failure: unknown) => {
          admin.close();
          button.disabled = false;
          error.textContent =
            failure instanceof AdminError && failure.unauthorized
              ? 'That admin secret is not the gateway’s.'
              : `Cannot sign in: ${(failure as Error).message}`;
          secret.focus();
        });
    });
    root.replaceChildren(h('main', { class: 'login' }, form));
    secret.focus();
  });
}
