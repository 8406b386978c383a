/**
 * `--device cpu|cuda|webgpu`: the execution provider every session of the process uses unless
 * its options name one. Selecting a device compiles and runs a one-op program on it at once, so
 * a missing provider is an error before any data is read or any model is opened, saying what to
 * install.
 */
import { Graph } from './graph.js';
import * as ops from './ops/index.js';
import { EngineSession, setDefaultExecutionProvider } from './session.js';
import type { ExecutionProvider } from './session.js';

export const DEVICES: readonly ExecutionProvider[] = ['cpu', 'cuda', 'webgpu'];

/** Makes `device` the default provider, after checking it runs a program. */
export async function selectDevice(device: ExecutionProvider): Promise<void> {
  if (device !== 'cpu') {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    const program = g.compile({ outputs: { y: ops.add(x, x) } });
    const session = await EngineSession.create(program, { executionProvider: device });
    try {
      await session.run({ x: new Float32Array([1, 2]) });
    } finally {
      await session.release();
    }
  }
  setDefaultExecutionProvider(device);
}
