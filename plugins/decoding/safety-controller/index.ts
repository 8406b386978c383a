/**
 * DecodingPolicy `safety-controller`: wraps another policy. Each conversation's latest user turns
 * go through the risk detector (lexicon and patterns, optionally a classifier); ordinary ones go
 * to the wrapped policy untouched, high-risk ones take the crisis path — a constrained prompt,
 * then checks on the generated reply that repair it or replace it with the vetted template. A
 * reply from the crisis path carries `intervention {kind, reason}`; the detector's verdict and
 * each check are in the trace.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { assetPath, defineItem, itemRef, PluginError } from 'attune';
import type { DecodedReply, DecodingPolicy, Message, TextGenerator } from 'attune';
import { activate, SequenceClassifier } from 'attune/model';
import { readSystemPrompt, samplingParamOptions, paramsOf } from '../sampling.js';
import { DEFAULT_RESOURCES_FILE, loadCrisisResources } from './crisis-resources.js';
import { escalation, nameEmotion, templateReply } from './crisis-reply.js';
import { assessRisk, DEFAULT_LEXICON, normalizeText } from './risk-detector.js';
import type { RiskAssessment, RiskLexicon } from './risk-detector.js';
import type { RiskCategory } from './risk-lexicon.js';
import { checkCrisisReply, repairCrisisReply } from './reply-checks.js';

export const DEFAULT_CRISIS_PROMPT = assetPath(import.meta.url, '../../../prompts/crisis-system.txt');

const category = z.enum(['suicide', 'self-harm', 'means', 'abuse', 'harm-to-others']);

const regex = (what: string) =>
  z.string().min(1).transform((source, ctx) => {
    try {
      return new RegExp(source, 'i');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `${what} is not a valid regular expression: ${(error as Error).message}` });
      return z.NEVER;
    }
  });

const options = z.strictObject({
  policy: itemRef('decoding', 'the policy that answers ordinary messages').optional().describe('e.g. decoding/xml-reasoning; default decoding/sampling'),
  locale: z.string().min(1).default('default').describe('which crisis resources to name (en-US, en-GB, en-IE, en-CA, en-AU, default)'),
  resourcesFile: z.string().optional().describe('crisis resources per locale (JSON shaped like prompts/crisis-resources.json)'),
  lookbackTurns: z.number().int().min(1).default(2).describe('how many of the latest user turns the detector reads'),
  patterns: z
    .array(z.strictObject({ category, pattern: regex('pattern'), direct: z.boolean().default(true).describe('a first-person statement: fiction and recovery frames do not silence it') }))
    .default([])
    .describe('extra risk patterns (regular expressions over lowercased text), added to the lexicon'),
  ignore: z.array(regex('ignore pattern')).default([]).describe('extra figures of speech to mask before matching (e.g. a community\'s slang)'),
  classifier: z
    .strictObject({
      model: z.string().min(1).describe('a …ForSequenceClassification folder that reads a user turn'),
      labels: z.array(z.string().min(1)).min(1).describe('the labels whose probability mass is the risk'),
      threshold: z.number().gt(0).max(1).default(0.5).describe('risk at or above this is high'),
      category: category.default('suicide').describe('the category a classifier hit is reported as'),
    })
    .optional()
    .describe('a risk classifier consulted besides the lexicon (either one firing routes to the crisis path)'),
  generate: z.boolean().default(true).describe('generate the crisis reply and repair it (false: always the vetted template)'),
  crisisPromptFile: z.string().optional().describe('the crisis system prompt ({resources}, {emergency} are filled in); default prompts/crisis-system.txt'),
  crisis: z.strictObject(samplingParamOptions).default({ maxNewTokens: 96, temperature: 0.5, topP: 0.9 }).describe('sampling of the crisis reply'),
});

interface Verdict {
  readonly assessment: RiskAssessment;
  readonly text: string;
}

function userTurns(conversation: readonly Message[], lookback: number): string[] {
  return conversation.filter((m) => m.role === 'user').slice(-lookback).reverse().map((m) => m.content);
}

export const safetyControllerPolicy = defineItem({
  description: 'routes high-risk messages (suicide, self-harm, means, abuse, harm to others) to a checked crisis reply; others to the wrapped policy',
  options,
  create: async (o, env): Promise<DecodingPolicy> => {
    if (!env.create) throw new PluginError('decoding/safety-controller: needs the kernel to build its wrapped policy', 'create it through the kernel (a config or Kernel.create)');
    const inner: DecodingPolicy = await env.create(o.policy ?? { kind: 'decoding', use: 'decoding/sampling', options: {} });
    const resources = loadCrisisResources(o.resourcesFile !== undefined ? resolve(env.baseDir, o.resourcesFile) : DEFAULT_RESOURCES_FILE);
    const local = resources.forLocale(o.locale);
    const system = readSystemPrompt('decoding/safety-controller', { systemPromptFile: o.crisisPromptFile }, env.baseDir, DEFAULT_CRISIS_PROMPT)!
      .replaceAll('{resources}', local.crisis.map((r) => `${r.name} (${r.contact})`).join(' or '))
      .replaceAll('{emergency}', local.emergency);
    const lexicon: RiskLexicon = { ...DEFAULT_LEXICON, patterns: [...DEFAULT_LEXICON.patterns, ...o.patterns], hyperbole: [...DEFAULT_LEXICON.hyperbole, ...o.ignore] };
    const classifier = o.classifier ? await SequenceClassifier.open(o.classifier.model, { baseDir: env.baseDir }) : undefined;
    if (classifier && o.classifier) {
      const unknown = o.classifier.labels.filter((l) => !classifier.labels.includes(l));
      if (unknown.length > 0) {
        await classifier.release();
        throw new PluginError(`decoding/safety-controller: classifier.labels ${unknown.join(', ')} are not labels of ${classifier.folder.dir} (it has ${classifier.labels.join(', ')})`, 'name labels from its config.json id2label');
      }
    }

    const detect = async (conversations: readonly Message[][]): Promise<Verdict[]> => {
      const verdicts = conversations.map((c) => {
        const turns = userTurns(c, o.lookbackTurns);
        for (const text of turns) {
          const assessment = assessRisk(text, lexicon);
          if (assessment.high) return { assessment, text };
        }
        return { assessment: assessRisk(turns[0] ?? '', lexicon), text: turns[0] ?? '' };
      });
      if (!classifier || !o.classifier) return verdicts;
      const { labels, threshold } = o.classifier;
      const picked = labels.map((l) => classifier.labels.indexOf(l));
      const scored = await classifier.classify(verdicts.map((v) => ({ text: v.text || ' ' })));
      return verdicts.map((v, i) => {
        if (v.assessment.high) return v;
        const p = activate(scored[i]!.logits, classifier.problemType === 'multi_label_classification' ? 'sigmoid' : 'softmax');
        const risk = picked.reduce((s, k) => s + (p[k] as number), 0);
        if (risk < threshold) return v;
        const c = o.classifier!.category;
        return { text: v.text, assessment: { ...v.assessment, high: true, category: c, categories: [c], reason: `${c}: classifier risk ${risk.toFixed(3)} ≥ ${threshold}` } };
      });
    };

    const crisisReplies = async (conversations: readonly Message[][], verdicts: readonly Verdict[], generator: TextGenerator): Promise<DecodedReply[]> => {
      const escalations = verdicts.map((v) => escalation(v.assessment.category!, local));
      const templates = verdicts.map((v) => {
        const c = v.assessment.category as RiskCategory;
        return templateReply(c, nameEmotion(normalizeText(v.text), c), local);
      });
      const detected = (v: Verdict) => ({ purpose: 'risk-detector', prompt: [] as Message[], output: [v.assessment.reason, ...v.assessment.setAside].join('; ') });
      if (!o.generate) {
        return verdicts.map((v, i) => ({ reply: templates[i]!, trace: [detected(v)], intervention: { kind: 'crisis-template', reason: `${v.assessment.reason}; vetted template (generation off)` } }));
      }
      const prompts = conversations.map((c) => [{ role: 'system' as const, content: system }, ...c.filter((m) => m.role !== 'system')]);
      const generated = await generator.generate(prompts, { params: paramsOf(o.crisis) });
      return generated.map((g, i) => {
        const v = verdicts[i]!;
        const check = checkCrisisReply(g.text);
        const trace = [detected(v), { purpose: 'crisis-reply', prompt: prompts[i]!, output: g.text }];
        const checks = { purpose: 'crisis-checks', prompt: [] as Message[], output: check.ok ? 'passed' : JSON.stringify({ violations: check.violations, escalations: check.escalations, acknowledges: check.acknowledges }) };
        if (check.ok) return { reply: g.text.trim(), trace: [...trace, checks], intervention: { kind: 'crisis-checked', reason: `${v.assessment.reason}; generated reply passed the checks` } };
        const repair = repairCrisisReply(check, escalations[i]!);
        if (repair.reply !== null) return { reply: repair.reply, trace: [...trace, checks], intervention: { kind: 'crisis-repaired', reason: `${v.assessment.reason}; ${repair.actions.join('; ')}` } };
        return { reply: templates[i]!, trace: [...trace, checks], intervention: { kind: 'crisis-template', reason: `${v.assessment.reason}; ${repair.actions.join('; ')}: vetted template` } };
      });
    };

    const policy: DecodingPolicy = {
      respond: async (conversations, generator) => {
        const verdicts = await detect(conversations);
        const crisis = verdicts.flatMap((v, i) => (v.assessment.high ? [i] : []));
        const ordinary = verdicts.flatMap((v, i) => (v.assessment.high ? [] : [i]));
        const out: DecodedReply[] = new Array(conversations.length);
        if (ordinary.length > 0) {
          const replies = await inner.respond(ordinary.map((i) => conversations[i]!), generator);
          ordinary.forEach((i, k) => (out[i] = replies[k]!));
        }
        if (crisis.length > 0) {
          const replies = await crisisReplies(crisis.map((i) => conversations[i]!), crisis.map((i) => verdicts[i]!), generator);
          crisis.forEach((i, k) => (out[i] = replies[k]!));
        }
        return out;
      },
      dispose: async () => {
        await classifier?.release();
        await inner.dispose?.();
      },
      ...(inner.prompt ? { prompt: inner.prompt.bind(inner) } : {}),
      ...(inner.parse ? { parse: inner.parse.bind(inner) } : {}),
    };
    return policy;
  },
});
