/** Checks autodiff gradients against float64 central finite differences run through onnxruntime. */
import { Graph } from './graph.js';
import { gradients } from './autodiff.js';
import { EngineSession } from './session.js';
import type { Feed, RunOptions } from './session.js';
import type { Tensor } from './tensor.js';

export interface GradcheckOptions extends RunOptions {
  /** Finite-difference step. Default 1e-6. */
  readonly eps?: number;
  readonly atol?: number;
  readonly rtol?: number;
}

/**
 * 'basic' keeps ORT from fusing patterns into float-only contrib kernels (x·sigmoid(x) becomes
 * QuickGelu, which has no float64 kernel); float64 graphs exist only for checking anyway.
 */
const CHECK_SESSION = { intraOpThreads: 1, graphOptimizationLevel: 'basic' } as const;

export interface GradcheckResult {
  readonly ok: boolean;
  readonly maxAbsError: number;
  /** Where the worst mismatch is, for the failure message. */
  readonly message: string;
}

/**
 * `build` traces a float64 scalar loss and names the parameters to check; `feeds` holds values for
 * every input and parameter (Float64Array for parameters). Each parameter element is nudged ±eps
 * and the loss re-run, so keep shapes small.
 */
export async function gradcheck(
  build: (g: Graph) => { loss: Tensor; params: readonly Tensor[] },
  feeds: Readonly<Record<string, Feed>>,
  opts: GradcheckOptions = {},
): Promise<GradcheckResult> {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-6;
  const rtol = opts.rtol ?? 1e-5;
  const g = new Graph();
  const { loss, params } = build(g);
  for (const p of params) if (p.dtype !== 'float64') throw new Error(`engine: gradcheck: parameter ${p.describe()} must be float64`);
  const grads = gradients(loss, params);
  const gradNames = Object.fromEntries(params.map((p) => [`grad__${p.name}`, grads[p.name] as Tensor]));
  const full = await EngineSession.create(g.compile({ outputs: { loss, ...gradNames } }), CHECK_SESSION);
  const lossOnly = await EngineSession.create(g.compile({ outputs: { loss } }), CHECK_SESSION);
  try {
    const analytic = await full.run(feeds, opts);
    let maxAbs = 0;
    let worst = 'no elements';
    let ok = true;
    for (const p of params) {
      const fed = feeds[p.name];
      if (!fed) throw new Error(`engine: gradcheck: no feed for parameter '${p.name}'`);
      const base = ArrayBuffer.isView(fed) ? fed : fed.data;
      if (!(base instanceof Float64Array)) throw new Error(`engine: gradcheck: feed '${p.name}' must be a Float64Array`);
      const an = analytic[`grad__${p.name}`]?.data as Float64Array;
      const work = Float64Array.from(base);
      const nudged = { ...feeds, [p.name]: ArrayBuffer.isView(fed) ? work : { data: work, dims: fed.dims } };
      for (let i = 0; i < work.length; i++) {
        const v = base[i] as number;
        work[i] = v + eps;
        const up = (await lossOnly.run(nudged, opts))['loss']?.data[0] as number;
        work[i] = v - eps;
        const down = (await lossOnly.run(nudged, opts))['loss']?.data[0] as number;
        work[i] = v;
        const numeric = (up - down) / (2 * eps);
        const a = an[i] as number;
        const err = Math.abs(a - numeric);
        if (err > maxAbs || Number.isNaN(err)) {
          maxAbs = Number.isNaN(err) ? Infinity : err;
          worst = `${p.name}[${i}]: autodiff ${a}, finite difference ${numeric}`;
        }
        if (!(err <= atol + rtol * Math.abs(numeric))) ok = false;
      }
    }
    return { ok, maxAbsError: maxAbs, message: `gradcheck ${ok ? 'passed' : 'FAILED'}: max abs error ${maxAbs.toExponential(2)} at ${worst}` };
  } finally {
    await full.release();
    await lossOnly.release();
  }
}
