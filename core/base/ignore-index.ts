/**
 * The label id that means "not scored" everywhere: token targets outside assistant replies and
 * on padding, and class labels of examples without one. −100 is PyTorch's `ignore_index` default
 * and what Hugging Face models use, so batches and checkpoints mean the same thing on both sides.
 */
export const IGNORE_INDEX = -100;
