import type { AdminClient } from '../admin/AdminClient.ts';
import type { HandleInfo } from '../admin/AdminTypes.ts';
import { h, icon, replaceChildren } from '../ui/dom.ts';

const POLL_MS = 2000;
/** Sessions inspected per refresh (a gateway may hold thousands). */
const MAX_SESSIONS = 25;

interface SessionRow {
  id: number;
  handles: HandleInfo[];
}

function mediaSummary(media: Record<string, number> | undefined): string {
  if (!media) return 'no media';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(media))
    if (typeof value === 'number' && value > 0) parts.push(`${key.replace(/_/g, ' ')} ${value}`);
  return parts.length > 0 ? parts.slice(0, 6).join(' · ') : 'no packets yet';
}

/**
 * The side bar's sessions view: every Janus session, its handles with their plugin, WebRTC state
 * (ICE/DTLS as far as the gateway reports them) and media counters, refreshed while visible.
 */
export class SessionsView {
  readonly element: HTMLElement;
  readonly #list: HTMLElement;
  readonly #admin: AdminClient;
  #timer = 0;
  #busy = false;

  constructor(admin: AdminClient) {
    this.#admin = admin;
    this.#list = h('div', { class: 'tree', role: 'tree', 'aria-label': 'Sessions and handles' });
    this.element = h(
      'section',
      { class: 'view', 'aria-labelledby': 'sessions-title' },
      h(
        'header',
        { class: 'view-header' },
        h('h2', { id: 'sessions-title' }, 'Sessions'),
        h(
          'button',
          { class: 'icon-button', title: 'Refresh', 'aria-label': 'Refresh sessions', onclick: () => void this.refresh() },
          icon('refresh'),
        ),
      ),
      this.#list,
    );
  }

  /** Polls while the view is shown. */
  setVisible(visible: boolean): void {
    window.clearInterval(this.#timer);
    if (!visible) return;
    void this.refresh();
    this.#timer = window.setInterval(() => void this.refresh(), POLL_MS);
  }

  async refresh(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const { sessions } = await this.#admin.request<{ sessions: number[] }>('list_sessions');
      const rows: SessionRow[] = [];
      for (const id of sessions.slice(0, MAX_SESSIONS)) {
        const handles = await this.#admin
          .request<{ handles: number[] }>('list_handles', { session_id: id })
          .catch(() => ({ handles: [] as number[] }));
        const infos = await Promise.all(
          handles.handles.map((handle) =>
            this.#admin
              .request<{ info: HandleInfo }>('handle_info', { session_id: id, handle_id: handle })
              .then((r) => r.info)
              .catch(() => undefined),
          ),
        );
        rows.push({ id, handles: infos.filter((i): i is HandleInfo => i !== undefined) });
      }
      this.#render(rows, sessions.length);
    } catch (error) {
      replaceChildren(this.#list, h('p', { class: 'muted empty' }, `Cannot list sessions: ${(error as Error).message}`));
    } finally {
      this.#busy = false;
    }
  }

  #render(rows: SessionRow[], total: number): void {
    if (rows.length === 0) {
      replaceChildren(this.#list, h('p', { class: 'muted empty' }, 'No sessions. Attach from the Try it panel to see one here.'));
      return;
    }
    replaceChildren(
      this.#list,
      rows.map((session) =>
        h(
          'div',
          { class: 'tree-node', role: 'treeitem', 'aria-expanded': 'true', dataset: { session: String(session.id) } },
          h(
            'div',
            { class: 'tree-row' },
            h('span', { class: 'mono' }, `Session ${session.id}`),
            h('span', { class: 'muted' }, `${session.handles.length} handle(s)`),
          ),
          h(
            'div',
            { role: 'group', class: 'tree-children' },
            session.handles.map((info) => {
              const up = info.webrtc?.up === true;
              const state = info.webrtc ? (up ? 'ICE + DTLS up' : info.webrtc.closed ? 'no PeerConnection' : 'negotiating') : 'unknown';
              return h(
                'div',
                {
                  class: 'tree-row handle-row',
                  role: 'treeitem',
                  dataset: { handle: String(info.handle_id) },
                  title: JSON.stringify(info, null, 2),
                },
                h('span', { class: `state-dot ${up ? 'running' : 'idle'}`, 'aria-hidden': 'true' }),
                h('span', { class: 'mono' }, `Handle ${info.handle_id}`),
                h('span', { class: 'plugin-name' }, info.plugin),
                h(
                  'span',
                  { class: 'row-details muted' },
                  `${state}${info.webrtc?.ice ? ` · ICE ${info.webrtc.ice}` : ''}${info.webrtc?.dtls ? ` · DTLS ${info.webrtc.dtls}` : ''} · ${mediaSummary(info.media)}`,
                ),
              );
            }),
          ),
        ),
      ),
      total > rows.length ? h('p', { class: 'muted empty' }, `… and ${total - rows.length} more`) : null,
    );
  }
}
