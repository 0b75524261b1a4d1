import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DropLog } from './drop-log.js';

test('the first drop is logged at once, later ones summed at most once a minute', () => {
  const log = new DropLog();
  assert.equal(log.due(1_000), 1);
  assert.equal(log.due(2_000), 0);
  assert.equal(log.due(30_000), 0);
  assert.equal(log.due(60_999), 0);
  assert.equal(log.due(61_000), 4, 'the three quiet drops and this one');
  assert.equal(log.due(61_001), 0);
});
