/** The reward models shipped in models/ load as sequence classifiers and score the way their SOURCE.md says. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SequenceClassifier } from '../../core/model/classifier/index.js';
import { resolveModelFolder } from '../../core/model/folder/resolve.js';

test('attune-empathy-tiny: a Qwen2 regressor that scores an empathic turn above a factual one', async () => {
  const dir = resolveModelFolder('attune-empathy-tiny');
  assert.ok(existsSync(join(dir, 'SOURCE.md')));
  const classifier = await SequenceClassifier.open('attune-empathy-tiny');
  try {
    assert.equal(classifier.problemType, 'regression');
    assert.deepEqual(classifier.labels, ['empathy']);
    const [warm, flat] = await classifier.classify([
      { text: 'That is awful. I can only imagine how scared those families must feel.' },
      { text: 'The article says the bridge was built in 1932.' },
    ]);
    // Measured when the model was made: 3.28 and 1.64 on WASSA's 0–5 scale.
    assert.ok(warm!.logits[0]! - flat!.logits[0]! > 1, `empathic ${warm!.logits[0]}, factual ${flat!.logits[0]}`);
    assert.ok(warm!.logits[0]! > 2.5 && warm!.logits[0]! < 4, `on the 0–5 scale: ${warm!.logits[0]}`);
  } finally {
    await classifier.release();
  }
});

test('attune-relevance-tiny: reads pairs as chat turns and scores an on-topic reply above an off-topic one', async () => {
  const dir = resolveModelFolder('attune-relevance-tiny');
  assert.ok(existsSync(join(dir, 'SOURCE.md')));
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(config.attune_pair_format, 'chat');
  const classifier = await SequenceClassifier.open('attune-relevance-tiny');
  try {
    assert.deepEqual(classifier.labels, ['relevance']);
    const turn = 'My car broke down on the highway and I was stuck for hours.';
    const [onTopic, offTopic] = await classifier.classify([
      { text: turn, pair: 'That sounds awful, were you able to get a tow truck?' },
      { text: turn, pair: 'I love baking cookies with my kids on the weekend.' },
    ]);
    // Measured when the model was made: logits 0.086 and −0.093 (its logits span about ±0.3).
    assert.ok(onTopic!.logits[0]! - offTopic!.logits[0]! > 0.1, `on topic ${onTopic!.logits[0]}, off topic ${offTopic!.logits[0]}`);
  } finally {
    await classifier.release();
  }
});
