/** The JSON files of an embedded model's folder, laid out as Qwen2-Instruct's. */
import type { EmbeddedSpec } from './spec.js';

export const SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;
export type SpecialIds = Record<(typeof SPECIALS)[number], number>;
export const INIT_STD = 0.02;
export const DEFAULT_SYSTEM_PROMPT = 'You are a helpful assistant.';
// Qwen2-Instruct's template: a default system turn when the chat has none, ChatML turns, generation header on request.
export const CHAT_TEMPLATE =
  "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}" +
  `{{ '<|im_start|>system\\n${DEFAULT_SYSTEM_PROMPT}<|im_end|>\\n' }}` +
  "{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export function modelConfig(spec: EmbeddedSpec, ids: SpecialIds): Record<string, unknown> {
  const { hidden, intermediate, layers, heads, kvHeads } = spec.shape;
  return {
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    hidden_size: hidden,
    intermediate_size: intermediate,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    hidden_act: 'silu',
    attention_bias: true,
    attention_dropout: 0.0,
    rms_norm_eps: 1e-6,
    rope_theta: 10000.0,
    rope_scaling: null,
    max_position_embeddings: 2048,
    use_sliding_window: false,
    sliding_window: null,
    max_window_layers: layers,
    vocab_size: spec.vocabSize,
    tie_word_embeddings: true,
    initializer_range: INIT_STD,
    torch_dtype: spec.dtype === 'BF16' ? 'bfloat16' : 'float32',
    use_cache: true,
    bos_token_id: ids['<|endoftext|>'],
    eos_token_id: ids['<|im_end|>'],
  };
}

export function tokenizerConfig(added: readonly { id: number; content: string }[]): Record<string, unknown> {
  return {
    add_bos_token: false,
    add_prefix_space: false,
    added_tokens_decoder: Object.fromEntries(added.map(({ id, ...rest }) => [String(id), rest])),
    additional_special_tokens: ['<|im_start|>', '<|im_end|>'],
    bos_token: null,
    chat_template: CHAT_TEMPLATE,
    clean_up_tokenization_spaces: false,
    eos_token: '<|im_end|>',
    errors: 'replace',
    model_max_length: 2048,
    pad_token: '<|endoftext|>',
    split_special_tokens: false,
    tokenizer_class: 'Qwen2Tokenizer',
    unk_token: null,
  };
}

export function generationConfig(ids: SpecialIds): Record<string, unknown> {
  return {
    bos_token_id: ids['<|endoftext|>'],
    eos_token_id: [ids['<|im_end|>'], ids['<|endoftext|>']],
    pad_token_id: ids['<|endoftext|>'],
    do_sample: true,
    temperature: 0.7,
    top_p: 0.8,
    top_k: 20,
    repetition_penalty: 1.05,
  };
}
