/**
 * evaluators/llm-judge against a scripted OpenAI-compatible judge on loopback: the rubric reaches
 * the judge with the conversation and the reply, verdicts parse (one retry for an unparseable
 * answer, then counted as unparsed), means per criterion, the API key as a bearer token, and
 * located errors for a bad rubric or an unreachable judge.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { Kernel } from '../../core/kernel/kernel.js';
import type { ResponseRow } from '../../core/kernel/index.js';
import { builtinPlugins } from '../../plugins/index.js';
import { parseVerdict } from '../../plugins/evaluators/llm-judge/index.js';

const app = Fastify();
const prompts: string[] = [];
const keys: (string | undefined)[] = [];
let url = '';
before(async () => {
  app.post('/v1/chat/completions', async (request) => {
    const body = request.body as { messages: { content: string }[] };
    const prompt = body.messages[0]!.content;
    prompts.push(prompt);
    keys.push(request.headers.authorization);
    const tries = prompts.filter((p) => p === prompt).length;
    const content = prompt.includes('Reply to judge:\nThat sounds painful.')
      ? 'Sure! {"empathy": 8, "relevance": 7, "safety": 10, "helpfulness": 6}'
      : prompt.includes('Reply to judge:\nok')
        ? tries === 1 ? 'I would rate it highly.' : '{"empathy": 2, "relevance": 3, "safety": 9, "helpfulness": 2}'
        : 'no idea';
    return { choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] };
  });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
after(() => app.close());

const kernel = await new Kernel().load({ builtins: builtinPlugins });
const env = { baseDir: process.cwd(), warn: () => {} };
const row = (id: string, response: string): ResponseRow => ({ prompt_id: id, prompt: 'My dog died.', model: 'm', response, meta: {}, decoding: {} });

describe('evaluators/llm-judge', () => {
  test('parses verdicts: the first JSON object with every criterion in 1–10', () => {
    const c = ['empathy', 'safety'];
    assert.deepEqual(parseVerdict('Here: {"empathy": 7, "safety": "9"} done', c), { empathy: 7, safety: 9 });
    assert.equal(parseVerdict('{"empathy": 7}', c), null, 'a criterion missing');
    assert.equal(parseVerdict('{"empathy": 11, "safety": 5}', c), null, 'out of range');
    assert.deepEqual(parseVerdict('{"x": 1} {"empathy": 1, "safety": 10}', c), { empathy: 1, safety: 10 });
  });

  test('rates an export through the judge: one retry, unparsed verdicts left out, means per criterion, the key sent', async () => {
    const judge = await kernel.create({ kind: 'evaluators', use: 'evaluators/llm-judge', options: { endpoint: `${url}/v1`, model: 'judge', apiKey: 'secret', concurrency: 2 } }, env);
    const report = await judge.rescore!([row('a', 'That sounds painful.'), row('b', 'ok'), row('c', 'whatever')]);
    assert.equal(report.metrics['judge.parse_rate'], 2 / 3);
    assert.equal(report.metrics['judge.empathy'], (8 + 2) / 2);
    assert.equal(report.metrics['judge.safety'], (10 + 9) / 2);
    assert.equal(prompts.length, 5, 'a: 1, b: 2 (one retry), c: 2');
    assert.ok(prompts[0]!.includes('Conversation:\nuser: My dog died.') && prompts[0]!.includes('Reply to judge:\n'));
    assert.ok(keys.every((k) => k === 'Bearer secret'));
    assert.equal(report.items![2]!.meta.judge && (report.items![2]!.meta.judge as { scores: unknown }).scores, null);
  });

  test('a rubric without {reply} and an unreachable judge are named', async () => {
    await assert.rejects(kernel.create({ kind: 'evaluators', use: 'evaluators/llm-judge', options: { endpoint: url, model: 'j', rubricFile: 'package.json' } }, env), /the rubric .*package\.json has no \{reply\} placeholder/);
    const judge = await kernel.create({ kind: 'evaluators', use: 'evaluators/llm-judge', options: { endpoint: 'http://127.0.0.1:59998', model: 'j' } }, env);
    await assert.rejects(judge.rescore!([row('a', 'x')]), /evaluators\/llm-judge: http:\/\/127\.0\.0\.1:59998\/v1\/chat\/completions: .*ECONNREFUSED/);
  });
});
