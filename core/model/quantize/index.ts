/** Block-wise quantized frozen weights (onnxruntime MatMulNBits) for generation. */
export { quantizeNBits, dequantizeNBits, blocksPerRow, type NBitsMatrix, type QuantBits } from './nbits.js';
export { weightQuantizationSchema, parseWeightQuantization, type WeightQuantization } from './weight-quantization.js';
export { openQuantizedStore, quantizableWeights, type QuantizedStore } from './quantized-store.js';
export { withQuantizedWeights } from './quantized-weights.js';
export { withQuantization, type QuantizedModelFolder } from './with-quantization.js';
