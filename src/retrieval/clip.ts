/**
 * retrieval/clip.ts — the retriever: a CLIP-style bi-encoder trained here. A text transformer over
 * BPE ids (padding masked, masked-mean pooled) and a ViT over 8x8 image patches (mean pooled),
 * each projected to `embedDim` and l2-normalised; a learned temperature scales the B x B
 * similarity matrix for the symmetric InfoNCE loss (Radford et al. 2021).
 * Legend: B batch, T text length, N image patches, C width, E embedding dim.
 */
import { LayerNorm, Linear, Embedding } from '../nn/layers.js';
import { Module, ModuleDict } from '../nn/module.js';
import { TransformerBlock } from '../nn/transformer.js';
import {
  add, addScalar, affine, copyInto, onDevice, crossEntropy, indexSelect, div, exp, l2Normalize, matmul, mean, mul, noGrad, relu, reshape, Rng, slice, sub, sum, tensor, tidy,
  transpose, truncNormal, type Tensor,
} from '../tensor/index.js';
import { patchify } from '../tokenizer/image/patches.js';

export interface RetrieverConfig {
  imageSize: number;
  patch: number;
  /** Text ids are [0, textVocab); id textVocab is padding. */
  textVocab: number;
  maxTextLen: number;
  dModel: number;
  heads: number;
  textLayers: number;
  imageLayers: number;
  mlpHidden: number;
  embedDim: number;
  /** Initial softmax temperature (CLIP: 0.07); the learned logit scale is capped at 100. */
  initTemperature: number;
  seed: number;
}

export const RETRIEVER_PRESETS: Record<string, RetrieverConfig> = {
  small: {
    imageSize: 64, patch: 8, textVocab: 4096, maxTextLen: 32, dModel: 256, heads: 4, textLayers: 4, imageLayers: 4,
    mlpHidden: 1024, embedDim: 256, initTemperature: 0.07, seed: 11,
  },
  tiny: {
    imageSize: 16, patch: 4, textVocab: 300, maxTextLen: 12, dModel: 32, heads: 2, textLayers: 1, imageLayers: 1,
    mlpHidden: 64, embedDim: 16, initTemperature: 0.07, seed: 11,
  },
};

export const MAX_LOGIT_SCALE = 100;

function blocks(h: ModuleDict, c: RetrieverConfig, n: number, rng: Rng): TransformerBlock[] {
  return Array.from({ length: n }, (_, i) => h.set(String(i), new TransformerBlock(
    { dModel: c.dModel, heads: c.heads, mlpHidden: c.mlpHidden, bias: true, affineNorm: true, initStd: 0.02, causal: false }, rng)));
}

class TextTower extends Module {
  readonly tok: Embedding; readonly pos: Tensor; readonly h: TransformerBlock[]; readonly norm: LayerNorm; readonly proj: Linear;
  constructor(readonly c: RetrieverConfig, rng: Rng) {
    super();
    this.tok = this.addModule('tok', new Embedding(c.textVocab + 1, c.dModel, { rng, std: 0.02 }));
    this.pos = this.addParam('pos', truncNormal([c.maxTextLen, c.dModel], { rng, std: 0.01, bound: 3 }));
    this.h = blocks(this.addModule('h', new ModuleDict()), c, c.textLayers, rng);
    this.norm = this.addModule('norm', new LayerNorm(c.dModel));
    this.proj = this.addModule('proj', new Linear(c.dModel, c.embedDim, { rng, std: 0.02, bias: false }));
  }
  /** ids (B, T) i32 padded with textVocab; mask (B, T) 1 = token -> unit embeddings (B, E). */
  forward(ids: Tensor, mask: Tensor): Tensor {
    const [B, T] = ids.shape;
    if (T > this.c.maxTextLen) throw new RangeError(`retriever: text length ${T} > maxTextLen ${this.c.maxTextLen}`);
    let x = add(this.tok.forward(ids), reshape(slice(this.pos, 0, 0, T), [1, T, this.c.dModel]));
    for (const b of this.h) x = b.forward(x, mask);
    const m = reshape(mask, [B, T, 1]);
    const pooled = div(sum(mul(this.norm.forward(x), m), 1), sum(m, 1)); // masked mean (B, C)
    return l2Normalize(this.proj.forward(pooled), -1);
  }
}

class ImageTower extends Module {
  readonly inProj: Linear; readonly pos: Tensor; readonly h: TransformerBlock[]; readonly norm: LayerNorm; readonly proj: Linear;
  constructor(readonly c: RetrieverConfig, rng: Rng) {
    super();
    const g = c.imageSize / c.patch;
    this.inProj = this.addModule('in_proj', new Linear(c.patch * c.patch * 3, c.dModel, { rng, std: 0.02 }));
    this.pos = this.addParam('pos', truncNormal([g * g, c.dModel], { rng, std: 0.02, bound: 3 }));
    this.h = blocks(this.addModule('h', new ModuleDict()), c, c.imageLayers, rng);
    this.norm = this.addModule('norm', new LayerNorm(c.dModel));
    this.proj = this.addModule('proj', new Linear(c.dModel, c.embedDim, { rng, std: 0.02, bias: false }));
  }
  /** images (B, S, S, 3) in [-1, 1] -> unit embeddings (B, E). */
  forward(x: Tensor): Tensor {
    let h = add(this.inProj.forward(patchify(x, this.c.patch)), this.pos);
    for (const b of this.h) h = b.forward(h);
    return l2Normalize(this.proj.forward(mean(this.norm.forward(h), 1)), -1);
  }
}

export class RetrieverModel extends Module {
  readonly text: TextTower; readonly image: ImageTower; readonly logitScale: Tensor;
  constructor(readonly config: RetrieverConfig) {
    super();
    const c = config;
    if (c.imageSize % c.patch !== 0) throw new RangeError(`retriever: imageSize ${c.imageSize} is not a multiple of patch ${c.patch}`);
    const rng = new Rng(c.seed);
    this.text = this.addModule('text', new TextTower(c, rng));
    this.image = this.addModule('image', new ImageTower(c, rng));
    this.logitScale = this.addParam('logit_scale', tensor([Math.log(1 / c.initTemperature)], [1]));
  }

  /**
   * Symmetric InfoNCE over a batch of matching (text, image) pairs: pair i is row/column i.
   * With `positives` (multi-positive, SupCon's "L_out"): positives[i] lists every image that
   * caption i describes (i itself included); each direction averages -log softmax over the
   * (query, positive) pairs, a query weighing 1 however many positives it has.
   */
  contrastiveLoss(textEmb: Tensor, imageEmb: Tensor, positives?: readonly (readonly number[])[]): { loss: Tensor; logits: Tensor } {
    const B = textEmb.shape[0];
    const byImage = positives && positivesByImage(positives, B); // checked before anything is recorded
    const logits = mul(matmul(textEmb, transpose(imageEmb, 0, 1)), exp(this.logitScale)); // (B, B): text i vs image j
    if (!positives || !byImage) {
      const target = tensor(Array.from({ length: B }, (_, i) => i), [B], 'i32');
      return { loss: affine(add(crossEntropy(logits, target), crossEntropy(transpose(logits, 0, 1), target)), 0.5), logits };
    }
    const loss = affine(add(multiPositiveNll(logits, positives), multiPositiveNll(transpose(logits, 0, 1), byImage)), 0.5);
    return { loss, logits };
  }

  /** CLIP keeps the learned scale <= 100 (temperature >= 0.01); call after each optimizer step. */
  clampLogitScale(): void {
    const x = this.logitScale, cap = Math.log(MAX_LOGIT_SCALE);
    if (!x.onDevice) { x.host[0] = Math.min(x.host[0], cap); return; }
    // On a GPU without a readback: min(x, cap) = x - relu(x - cap).
    onDevice(x.device, () => noGrad(() => tidy(() => copyInto(x, sub(x, relu(addScalar(x, -cap))), false))));
  }
}

/** The transpose of a text→images positive list: for each image, the captions that describe it. */
export function positivesByImage(positives: readonly (readonly number[])[], B: number): number[][] {
  if (positives.length !== B) throw new RangeError(`contrastiveLoss: ${positives.length} positive lists for a batch of ${B}`);
  const out: number[][] = Array.from({ length: B }, () => []);
  positives.forEach((ps, i) => {
    if (!ps.includes(i)) throw new RangeError(`contrastiveLoss: caption ${i} must list its own image among its positives`);
    for (const j of ps) {
      if (!Number.isInteger(j) || j < 0 || j >= B) throw new RangeError(`contrastiveLoss: positive ${j} of caption ${i} is outside the batch of ${B}`);
      out[j].push(i);
    }
  });
  return out;
}

/** mean over queries r of mean over p in pos[r] of -log softmax(logits[r])[p], as one weighted cross-entropy. */
function multiPositiveNll(logits: Tensor, pos: readonly (readonly number[])[]): Tensor {
  const rows: number[] = [], targets: number[] = [], weights: number[] = [];
  pos.forEach((ps, r) => { for (const p of ps) { rows.push(r); targets.push(p); weights.push(1 / ps.length); } });
  const n = rows.length;
  return crossEntropy(indexSelect(logits, 0, tensor(rows, [n], 'i32')), tensor(targets, [n], 'i32'), { weights: tensor(weights, [n]) });
}
