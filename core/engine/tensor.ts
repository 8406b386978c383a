import type { DType } from './dtype.js';
import type { Shape } from './shape.js';
import { formatShape } from './shape.js';
import type { Graph } from './graph.js';

/** How a tensor enters the graph. */
export type TensorKind = 'input' | 'parameter' | 'initializer' | 'node';

/**
 * A symbolic tensor: a named value in one Graph with a dtype and a (possibly symbolic) shape.
 * It holds no data; values exist only inside an onnxruntime session run.
 */
export class Tensor {
  /** @internal */
  constructor(
    readonly graph: Graph,
    /** ONNX value name (unique in the graph). */
    readonly name: string,
    readonly dtype: DType,
    readonly shape: Shape,
    readonly kind: TensorKind,
    /** True when a gradient can flow from this tensor back to a parameter. */
    readonly requiresGrad: boolean,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  /** 'name: float32[batch, 64]', for error messages. */
  describe(): string {
    return `'${this.name}' ${this.dtype}${formatShape(this.shape)}`;
  }
}
