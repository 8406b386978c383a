/** The engine's op set. Importing this module registers every op's shape and gradient rule. */
import './contrib.js';
export * from './elementwise.js';
export * from './reduce.js';
export * from './matmul.js';
export * from './shape-ops.js';
export * from './index-ops.js';
export * from './nn.js';
export * from './losses.js';
export * from './sequence.js';
export { zeros, zerosLike, sumToShape } from './grad-util.js';
