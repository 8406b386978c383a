/**
 * Recipes `pipeline` and `evaluate` on the tiny embedded model: train → evaluate base vs tuned
 * with every built-in evaluator → report; the report opened in Debian's chromium (it renders and
 * every image loads); `attune report` on the run and on a folder that is not one.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../serve/chromium.js';
import { fromPackageRoot } from '../../core/base/paths.js';
import { runCli } from '../../core/cli/main.js';
import { kernel, run, set, tempDir } from './harness.js';


const evaluators = [
  { use: 'evaluators/eq-bench', options: { questions: 3, attempts: 1, maxNewTokens: 8 } },
  { use: 'evaluators/red-team' },
  { use: 'evaluators/nlg', options: { source: 'sources/esconv', limit: 4 } },
  { use: 'evaluators/counselling', options: { limit: 3, empathy: null } },
  { use: 'evaluators/classification', options: { emotion: { limit: 12 }, strategy: { limit: 12 } } },
];

describe('recipe pipeline', () => {
  test('trains, evaluates base vs tuned with every evaluator, and writes a report that renders in chromium with every image loaded', async () => {
    const out = join(tempDir(), 'run');
    const outcome = await run(await kernel(), {
      recipe: 'pipeline',
      configFile: fromPackageRoot('configs', 'pipeline', 'example.yaml'),
      overrides: [
        set('model', 'attune-tiny-qwen2'),
        set('sft.trainer.options.steps', 3),
        set('sft.trainer.options.microBatchSize', 4),
        set('sft.trainer.options.gradientAccumulation', 1),
        set('sft.trainer.options.maxLength', 96),
        set('sft.trainer.options.bucket', 32),
        set('sft.trainer.options.evalEvery', 0),
        set('sft.trainer.options.checkpointEvery', 0),
        set('sft.trainer.options.warmupSteps', 0),
        set('evaluation.evaluators', evaluators),
      ],
      out,
    });
    assert.equal(outcome.status, 'completed');
    const saved = JSON.parse(readFileSync(join(out, 'evaluation', 'metrics.json'), 'utf8')) as { evaluator: string; subject: string; metrics: Record<string, number> }[];
    assert.deepEqual(saved.map((s) => `${s.subject} ${s.evaluator.split('/')[1]}`), ['base eq-bench', 'base red-team', 'base nlg', 'base counselling', 'base classification', 'tuned eq-bench', 'tuned red-team', 'tuned nlg', 'tuned counselling', 'tuned classification']);
    // The tuned adapter has trained heads; the base has none.
    assert.equal(saved.find((s) => s.subject === 'base' && s.evaluator.endsWith('classification'))!.metrics['classification.emotion.examples'], undefined);
    assert.equal(saved.find((s) => s.subject === 'tuned' && s.evaluator.endsWith('classification'))!.metrics['classification.emotion.examples'], 12);
    assert.ok(existsSync(join(out, 'stages', 'sft.json')) && existsSync(join(out, 'stages', 'evaluate.json')));
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    for (const heading of ['## Training curves', '## Evaluation: evaluators/red-team', '## Evaluation: evaluators/eq-bench', '## Reply lengths', '## Sample replies']) assert.ok(md.includes(heading), heading);
    assert.match(md, /\| prompt \| probe \| expected \| base \| tuned \|/);
    assert.match(md, /!\[tuned: classification\.tuned\.emotion-confusion\]\(evaluation\/classification\.tuned\.emotion-confusion\.png\)/);

    if (CHROMIUM === undefined && !process.env.CI) return;
    assert.ok(CHROMIUM, 'chromium is not installed: .ci/run installs it');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      await page.goto(`file://${join(out, 'report.html')}`);
      const images = await page.$$eval('img', (all) => all.map((img) => ({ alt: img.getAttribute('alt'), loaded: img.complete && img.naturalWidth > 0 })));
      assert.ok(images.length >= 6, `${images.length} images`);
      assert.deepEqual(images.filter((i) => !i.loaded), [], 'every image loads');
      assert.ok((await page.locator('h2').allTextContents()).includes('Evaluation: evaluators/counselling'));
    } finally {
      await browser.close();
    }

    let stdout = '';
    let stderr = '';
    const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } };
    assert.equal(await runCli(['report', out], io), 0, stderr);
    assert.equal(stdout, `${join(out, 'report.md')}\n${join(out, 'report.html')}\n`);
    assert.equal(await runCli(['report', tempDir()], io), 1);
    assert.match(stderr, /is not a run directory/);
  });
});
