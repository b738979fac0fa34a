// The studio's Fork: a built-in's files copied under a new name, only the string literals that are
// exactly the plugin's name rewritten (so the copy registers under its own name), and the name a
// fork is offered under.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForkError, forkFiles, suggestedForkName } from '../../studio/src/editor/forkBuiltin.ts';
import { filesBesideEntry } from '../../studio/src/deploy/pluginUpload.ts';

describe('studio fork: forkFiles', () => {
  it('rewrites the name literal in every file and quote style, and leaves comments and longer strings alone', () => {
    const files = {
      'index.ts': `// janus.plugin.echotest: echoes media\nconst NAME = 'janus.plugin.echotest';\nexport default definePlugin({ name: NAME });\n`,
      'other.ts': `export const a = "janus.plugin.echotest";\nexport const b = \`janus.plugin.echotest\`;\nexport const c = 'janus.plugin.echotest.extra';\nexport const d = 'janus_plugin_echotest';\n`,
    };
    assert.deepEqual(forkFiles(files, 'janus.plugin.echotest', 'my.echo'), {
      'index.ts': `// janus.plugin.echotest: echoes media\nconst NAME = 'my.echo';\nexport default definePlugin({ name: NAME });\n`,
      'other.ts': `export const a = "my.echo";\nexport const b = \`my.echo\`;\nexport const c = 'janus.plugin.echotest.extra';\nexport const d = 'janus_plugin_echotest';\n`,
    });
  });

  it('refuses to fork files that never name the plugin (the copy would keep the built-in name)', () => {
    assert.throws(() => forkFiles({ 'index.ts': "const NAME = 'janus.plugin.other';" }, 'janus.plugin.echotest', 'my.echo'), ForkError);
  });

  it('offers my.<last part> as the name', () => {
    assert.equal(suggestedForkName('janus.plugin.videoroom'), 'my.videoroom');
    assert.equal(suggestedForkName('echo'), 'my.echo');
  });
});

describe('studio fork: filesBesideEntry', () => {
  it("makes the entry's folder the project root and leaves other files out", () => {
    assert.deepEqual(filesBesideEntry({ 'src/index.ts': 'a', 'src/lib/Room.ts': 'b', 'README.ts': 'c' }, 'src/index.ts'), {
      'index.ts': 'a',
      'lib/Room.ts': 'b',
    });
    assert.deepEqual(filesBesideEntry({ 'index.ts': 'a' }, 'index.ts'), { 'index.ts': 'a' });
    assert.equal(filesBesideEntry({ 'src/main.ts': 'a' }, 'src/main.ts'), undefined);
  });
});
