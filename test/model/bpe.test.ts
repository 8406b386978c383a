import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToUnicode, toByteLevel } from '../../core/model/tokenizer/bpe/byte-level.js';
import { pretokenize } from '../../core/model/tokenizer/bpe/pretokenize.js';
import { countWords, trainBpe } from '../../core/model/tokenizer/bpe/train-bpe.js';

describe('byte-level BPE trainer', () => {
  test('the byte map is a bijection onto printable characters', () => {
    const map = bytesToUnicode();
    assert.equal(new Set(map).size, 256);
    assert.equal(map[0x20], 'Ġ');
    assert.equal(map[0x0a], 'Ċ');
    assert.equal(map[0x41], 'A');
    assert.deepEqual(toByteLevel('é'), ['Ã', '©']);
  });

  test('pre-tokenization follows the Qwen2 split', () => {
    assert.deepEqual(pretokenize("I'm OK'LL 2024 folks!!\n\n  ok"), ['I', "'m", ' OK', "'LL", ' ', '2', '0', '2', '4', ' folks', '!!\n\n', ' ', ' ok']);
  });

  test('merges the most frequent pair first, breaks ties by the pair strings, and is repeatable', () => {
    const counts = new Map([
      ['abab', 3],
      ['cd', 2],
      ['xy', 2],
    ]);
    const first = trainBpe(counts, { vocabSize: 256 + 3 });
    assert.deepEqual(first.merges, [
      ['a', 'b'],
      ['ab', 'ab'],
      ['c', 'd'],
    ]);
    assert.deepEqual(first.tokens.slice(256), ['ab', 'abab', 'cd']);
    assert.deepEqual(trainBpe(new Map([...counts].reverse()), { vocabSize: 259 }), first);
  });

  test('stops at the minimum frequency and keeps token strings unique', () => {
    const rare = trainBpe(new Map([['qz', 1]]), { vocabSize: 300 });
    assert.deepEqual(rare.merges, []);
    const bpe = trainBpe(countWords(['the cat sat on the mat with that hat', 'then the rat ate the oat']), { vocabSize: 300 });
    assert.equal(new Set(bpe.tokens).size, bpe.tokens.length);
    assert.ok(bpe.tokens.includes('Ġthe'));
    for (const [left, right] of bpe.merges) assert.ok(bpe.tokens.includes(left + right));
  });

  test('countWords counts pre-tokenized pieces across texts', () => {
    const counts = countWords(['I feel sad.', 'I feel fine.']);
    assert.equal(counts.get(' feel'), 2);
    assert.equal(counts.get('I'), 2);
    assert.equal(counts.get(' sad'), 1);
  });
});
