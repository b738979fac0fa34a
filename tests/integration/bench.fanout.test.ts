// The fanout benchmark in quick mode: it runs end to end (receiver child, both engines, sends) and
// reports every case with the fields the full run is read by. Timings are not checked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fanout, type FanoutData } from '../../bench/src/scenarios/fanout.ts';

describe('bench fanout: quick mode', () => {
  it('measures the floor and every engine × size × K case, with ratios to the floor', async () => {
    const result = await fanout.run({ gateway: 'cardea', quick: true });
    assert.equal(result.scenario, 'fanout');
    const data = result.data as FanoutData;
    assert.deepEqual(Object.keys(data.floorUsPerPacket).sort(), ['100', '1200']);
    const keys = data.cases.map((c) => `${c.engine}/${c.profile}/${c.packetBytes}/${c.subscribers}`);
    for (const engine of ['wasm', 'node'])
      for (const bytes of [100, 1200])
        for (const k of [1, 10, 100]) assert.ok(keys.includes(`${engine}/cm/${bytes}/${k}`), `${engine} ${bytes} B K=${k}`);
    for (const c of data.cases) {
      for (const value of [c.kernelUsPerPacket, c.pathUsPerPacket, c.floorUsPerPacket, c.pathToFloor])
        assert.ok(Number.isFinite(value) && value > 0);
      assert.equal(c.meetsGoal, c.pathToFloor <= data.goalRatio);
    }
    assert.match(result.summary, /path\/floor/);
  });
});
