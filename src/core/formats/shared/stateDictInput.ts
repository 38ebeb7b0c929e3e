// The input width of a state dict (PyTorch or safetensors): the first Linear / Conv / RNN weight in
// key order, which a scaler's n_features_in_ must equal. Embeddings (token inputs) have none.
import type { TorchSummary } from '../../types';

/** The first Linear `[out, in]`, Conv `[out, in, k...]` or RNN `weight_ih_l0 [gates, in]` weight and its input width; null when none is recognisable. */
export function stateDictInput(tensors: { name: string; shape: number[] }[]): TorchSummary['input'] {
  for (const { name, shape } of tensors) {
    const dot = name.lastIndexOf('.');
    const layer = dot > 0 ? name.slice(0, dot) : '';
    const t = dot > 0 ? name.slice(dot + 1) : name;
    if (/emb|^(.*\.)?(wte|wpe)$/i.test(layer) && t === 'weight') return null; // token inputs (embeddings): no scaler width
    if (t === 'weight_ih_l0' && shape.length === 2) return { layer, kind: 'rnn', width: shape[1] };
    if (t !== 'weight') continue;
    if (shape.length === 2) return { layer, kind: 'linear', width: shape[1] };
    if (shape.length >= 3 && shape.length <= 5) return { layer, kind: 'conv', width: shape[1] };
  }
  return null;
}
