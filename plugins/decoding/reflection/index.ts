/**
 * DecodingPolicy `reflection` (two steps). Step 1 makes a hidden plan — the user's emotion and
 * intensity, a support strategy and style tokens — from the adapter's emotion and strategy heads
 * when the generator has them (an SFT run trained with emotion-head / strategy-head), else by
 * generating and parsing one. Step 2 generates the reply with the plan in its system prompt. The
 * plan is in the trace, never in the reply.
 */
import { z } from 'zod';
import { assetPath, defineItem } from 'attune';
import type { DecodingPolicy, Message } from 'attune';
import { lastUserContent } from 'attune/data';
import { paramsOf, readSystemPrompt, samplingParamOptions, withSystemPrompt } from '../sampling.js';
import { DEFAULT_STYLES, fillPlan, parsePlan, planFromHeads, STRATEGIES, withoutPlanLines } from './plan.js';
import type { ReplyPlan } from './plan.js';

export const DEFAULT_PLAN_PROMPT = assetPath(import.meta.url, '../../../prompts/reflection-plan.txt');
export const DEFAULT_REPLY_PROMPT = assetPath(import.meta.url, '../../../prompts/reflection-reply.txt');

const options = z.strictObject({
  plan: z.enum(['auto', 'heads', 'generate']).default('auto').describe("auto: the adapter's emotion/strategy heads when it has them, else a generated plan"),
  styles: z.array(z.string().min(1)).min(1).default([...DEFAULT_STYLES]).describe('style tokens a plan may choose'),
  planPromptFile: z.string().optional().describe('step 1 instructions ({strategies}, {styles} filled in); default prompts/reflection-plan.txt'),
  replyPromptFile: z.string().optional().describe('step 2 system prompt ({emotion}, {intensity}, {strategy}, {style}); default prompts/reflection-reply.txt'),
  planSampling: z.strictObject(samplingParamOptions).default({ maxNewTokens: 48, temperature: 0 }).describe('sampling of the plan'),
  ...samplingParamOptions,
});

const lastUser = (conversation: readonly Message[]): string => lastUserContent(conversation) ?? '';

export const reflectionPolicy = defineItem({
  description: 'two steps: a hidden plan (emotion, intensity, strategy, style; from the run\'s heads or generated), then the reply conditioned on it',
  options,
  create: (o, env): DecodingPolicy => {
    const planInstructions = readSystemPrompt('decoding/reflection', { systemPromptFile: o.planPromptFile }, env.baseDir, DEFAULT_PLAN_PROMPT)!
      .replaceAll('{strategies}', STRATEGIES.join(', '))
      .replaceAll('{styles}', o.styles.join(', '));
    const replyTemplate = readSystemPrompt('decoding/reflection', { systemPromptFile: o.replyPromptFile }, env.baseDir, DEFAULT_REPLY_PROMPT)!;
    const replyParams = paramsOf(o);
    return {
      respond: async (conversations, generator) => {
        const useHeads = o.plan !== 'generate' && (generator.headLabels?.length ?? 0) > 0 && generator.readHeads !== undefined;
        if (o.plan === 'heads' && !useHeads) env.warn('decoding/reflection: plan is "heads" but the model has no classification heads (train with emotion-head / strategy-head); generating the plan instead');
        const plans: { plan: ReplyPlan; trace: { purpose: string; prompt: Message[]; output: string } }[] = [];
        if (useHeads) {
          const readings = await generator.readHeads!(conversations);
          readings.forEach((r, i) => {
            const plan = planFromHeads(r, lastUser(conversations[i]!));
            plans.push({ plan, trace: { purpose: 'plan (heads)', prompt: conversations[i]!, output: JSON.stringify({ ...plan, readings: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { label: v.label, probability: v.probability }])) }) } });
          });
        } else {
          // The plan request is a user turn after the conversation, so any chat template accepts it.
          const planPrompts = conversations.map((c) => [...c.filter((m) => m.role !== 'system'), { role: 'user' as const, content: planInstructions }]);
          const generated = await generator.generate(planPrompts, { params: paramsOf(o.planSampling) });
          generated.forEach((g, i) => {
            const parsed = parsePlan(g.text, lastUser(conversations[i]!), o.styles);
            plans.push({ plan: parsed.plan, trace: { purpose: `plan (generated, ${parsed.status})`, prompt: planPrompts[i]!, output: g.text } });
          });
        }
        const replyPrompts = conversations.map((c, i) => withSystemPrompt(c, fillPlan(replyTemplate, plans[i]!.plan)));
        const replies = await generator.generate(replyPrompts, { params: replyParams });
        return replies.map((r, i) => ({
          reply: withoutPlanLines(r.text),
          trace: [plans[i]!.trace, { purpose: `reply (${r.finishReason})`, prompt: replyPrompts[i]!, output: r.text }],
        }));
      },
    };
  },
});
