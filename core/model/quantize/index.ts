/** Block-wise quantized frozen weights (onnxruntime MatMulNBits) for generation. */
export { quantizeNBits, dequantizeNBits, blocksPerRow, type NBitsMatrix, type QuantBits } from './nbits.js';
export { weightQuantizationSchema, parseWeightQuantization, completeQuantization, type WeightQuantization } from './weight-quantization.js';
export { openQuantizedStore, quantizableWeights, type QuantizedStore } from './quantized-store.js';
export { withQuantizedWeights } from './quantized-weights.js';
export { withQuantization, type QuantizedModelFolder } from './with-quantization.js';
export { quantizeNF4, dequantizeNF4, doubleQuantize, absmaxValues, NF4_TABLE, DOUBLE_QUANT_GROUP, type NF4Matrix } from './nf4.js';
