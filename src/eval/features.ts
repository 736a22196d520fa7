/**
 * eval/features.ts — input checking shared by the metrics: a set of N feature vectors of D
 * entries each (e.g. `Retriever.embedImages` rows) copied into one row-major Float64 N×D matrix,
 * so that sums over many samples are done in double precision whatever the caller's storage.
 */

/** One feature vector: Float32Array, Float64Array or a plain number list. */
export type Vector = ArrayLike<number>;
/** A set of feature vectors, one per sample, all of the same length. */
export type FeatureRows = readonly Vector[];

/** Row-major rows × cols matrix in double precision. */
export interface Matrix { readonly rows: number; readonly cols: number; readonly data: Float64Array }

/**
 * Copies `set` into a Float64 matrix, refusing (RangeError, naming `name`) fewer than `minRows`
 * rows, empty or ragged rows, and NaN/±Infinity entries.
 */
export function toMatrix(set: FeatureRows, name: string, minRows = 1): Matrix {
  if (!Array.isArray(set)) throw new RangeError(`${name} must be an array of feature vectors`);
  if (set.length < minRows) {
    throw new RangeError(`${name} needs at least ${minRows} feature vector${minRows === 1 ? '' : 's'}, got ${set.length}`);
  }
  const rows = set.length, cols = set[0].length;
  if (!(cols >= 1)) throw new RangeError(`${name}[0] is empty: feature vectors need at least one entry`);
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const v = set[r];
    if (v.length !== cols) throw new RangeError(`${name}[${r}] has ${v.length} entries, ${name}[0] has ${cols}`);
    for (let c = 0; c < cols; c++) {
      const x = v[c];
      if (!Number.isFinite(x)) throw new RangeError(`${name}[${r}][${c}] is ${x}: features must be finite`);
      data[r * cols + c] = x;
    }
  }
  return { rows, cols, data };
}

/** Throws unless the two sets have the same feature dimension. */
export function sameDim(a: Matrix, b: Matrix, nameA: string, nameB: string): void {
  if (a.cols !== b.cols) {
    throw new RangeError(`feature dimensions differ: ${nameA} has ${a.cols} entries per vector, ${nameB} has ${b.cols}`);
  }
}
