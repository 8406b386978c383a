import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRopeScaling, ropeInverseFrequencies } from '../../core/model/folder/rope.js';

test('plain RoPE frequencies are base^(-2i/d)', () => {
  const inv = ropeInverseFrequencies(8, 10000, null);
  assert.deepEqual([...inv], [1, 10000 ** -0.25, 10000 ** -0.5, 10000 ** -0.75]);
});

test('linear scaling divides every frequency by the factor', () => {
  const inv = ropeInverseFrequencies(4, 100, parseRopeScaling({ type: 'linear', factor: 4 }, 'c'));
  assert.deepEqual([...inv], [0.25, 0.1 / 4]);
});

test('llama3 scaling keeps high frequencies, divides low ones and blends between', () => {
  const scaling = parseRopeScaling(
    { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
    'c',
  );
  const plain = ropeInverseFrequencies(128, 500000, null);
  const scaled = ropeInverseFrequencies(128, 500000, scaling);
  let kept = 0;
  let divided = 0;
  let blended = 0;
  for (let i = 0; i < plain.length; i++) {
    const wavelen = (2 * Math.PI) / plain[i]!;
    if (wavelen < 8192 / 4) {
      assert.equal(scaled[i], plain[i]);
      kept++;
    } else if (wavelen > 8192) {
      assert.ok(Math.abs(scaled[i]! - plain[i]! / 8) < 1e-18);
      divided++;
    } else {
      assert.ok(scaled[i]! < plain[i]! && scaled[i]! > plain[i]! / 8);
      blended++;
    }
  }
  assert.ok(kept > 0 && divided > 0 && blended > 0);
});

test('rope "default" and null mean no scaling', () => {
  assert.equal(parseRopeScaling(null, 'c'), null);
  assert.equal(parseRopeScaling({ rope_type: 'default', rope_theta: 1e6 }, 'c'), null);
});
