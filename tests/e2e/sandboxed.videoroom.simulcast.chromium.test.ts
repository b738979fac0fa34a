// The videoroom.simulcast e2e tests (videoroom.simulcast.chromium.test.ts, unchanged) against a gateway whose built-ins
// run sandboxed from their source files (`plugins.builtinHost: "sandbox"`).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { builtinHostsSeen } from '../support/gateway.ts';

process.env.CARDEA_BUILTIN_HOST = 'sandbox';
await import('./videoroom.simulcast.chromium.test.ts');

it('the built-ins of those gateways ran in the sandbox', () => {
  assert.deepEqual([...builtinHostsSeen], ['sandbox']);
});
