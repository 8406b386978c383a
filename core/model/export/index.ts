export { exportOnnx } from './export-onnx.js';
export type { OnnxExportRequest, OnnxExportResult } from './export-onnx.js';
export { buildTransformersJsGraph, EXPORT_INPUTS, EXPORT_OUTPUTS, EXPORT_DIM_NAMES } from './transformers-js-graph.js';
