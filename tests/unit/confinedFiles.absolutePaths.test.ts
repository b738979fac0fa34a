// ConfinedFiles takes an absolute path that lies inside its root as relative to it (a Janus-style
// rec_dir or play_file path under the media directory, e.g. sandboxed built-ins with mediaDir "/"),
// and refuses every other absolute path.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfinedFiles, ConfinedPathError } from '../../core/src/plugins/sandbox/ConfinedFiles.ts';

test('confined files: an absolute path inside the root is read; outside it, or the root itself, is refused', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'cardea-confined-'));
  try {
    await writeFile(path.join(root, 'hello.opus'), 'bytes');
    const files = new ConfinedFiles({ root });
    assert.equal((await files.readFile(path.join(root, 'hello.opus'))).bytes.toString(), 'bytes');
    assert.equal((await files.readFile('hello.opus')).bytes.toString(), 'bytes');
    for (const outside of ['/etc/hostname', path.join(root, '..', 'elsewhere.opus'), root, `${root}-sibling/x.opus`]) {
      assert.throws(() => files.resolve(outside), ConfinedPathError, outside);
    }
    const everywhere = new ConfinedFiles({ root: '/' });
    assert.deepEqual(everywhere.resolve(path.join(root, 'hello.opus')).parts, [...root.split('/').filter(Boolean), 'hello.opus']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
