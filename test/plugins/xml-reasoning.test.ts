import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseXmlReply } from '../../plugins/decoding/xml-reasoning/parse.js';
import { withSystemPrompt } from '../../plugins/decoding/xml-reasoning/index.js';

describe('xml-reasoning parser', () => {
  test('each malformed shape has one defined outcome', () => {
    const cases: [string, string, string | null, string][] = [
      ['<reasoning>sad</reasoning><answer> I am sorry. </answer>', 'ok', 'I am sorry.', 'I am sorry.'],
      ['<answer>Hi</answer>', 'no-reasoning', 'Hi', 'Hi'],
      ['<reasoning>a</reasoning><answer>first</answer><answer>second</answer>', 'duplicated', 'first', 'first'],
      ['<reasoning>she is hurt</reasoning><answer>That sounds', 'unclosed', null, 'That sounds'],
      ['just a reply', 'missing', null, 'just a reply'],
      ['<reasoning>never closed, never answered', 'missing', null, ''],
    ];
    for (const [text, status, answer, shown] of cases) {
      const parsed = parseXmlReply(text);
      assert.equal(parsed.status, status, text);
      assert.equal(parsed.answer, answer, text);
      assert.equal(parsed.shown, shown, `${text}: a user never sees the reasoning`);
    }
    assert.equal(parseXmlReply('<reasoning>x\ny</reasoning>\n<answer>\nok\n</answer>').reasoning, 'x\ny');
  });

  test('the policy prompt replaces any system turn with its own', () => {
    const out = withSystemPrompt([{ role: 'system', content: 'old' }, { role: 'user', content: 'hi' }], 'new');
    assert.deepEqual(out, [{ role: 'system', content: 'new' }, { role: 'user', content: 'hi' }]);
  });
});
