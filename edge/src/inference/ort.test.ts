import { describe, expect, it } from "vitest";
import tiny from "../../test/fixtures/tiny-logprobs.onnx.json";
import { fromBase64 } from "../../test/helpers.ts";
import { loadLogprobModel, loadUserModel } from "./ort.ts";

describe("onnxruntime-web in workerd", () => {
  it("runs an exported model and returns per-digit log-probabilities", async () => {
    const model = await loadLogprobModel(fromBase64(tiny.base64), 50, 2);
    const history = new BigInt64Array(2 * 50);
    history.set([1n, 2n, 3n], 47); // user 0: rows 1, 2, 3 (newest last)
    history.set([5n], 99); // user 1: row 5
    const { logprobs: out, textQuery } = await model.run(history, 2);
    expect(textQuery).toBeNull();
    expect(out.length).toBe(2 * 2 * 256);
    // Reference values from onnxruntime (Python) for user 0, digits 0 and 1.
    expect(out[0]).toBeCloseTo(-8.004128, 4);
    expect(out[256]).toBeCloseTo(-6.1181602, 4);
    for (const [user, digit] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ] as const) {
      const row = out.subarray((user * 2 + digit) * 256, (user * 2 + digit + 1) * 256);
      const total = row.reduce((s, v) => s + Math.exp(v), 0);
      expect(total).toBeCloseTo(1, 4);
    }
  });

  it("refuses an answer of the wrong name or shape, naming what came back", async () => {
    const history = new BigInt64Array(50);
    history[49] = 1n;
    const asUser = await loadUserModel(fromBase64(tiny.base64), 50, 16);
    await expect(asUser.run(history, 1)).rejects.toThrow(/undefined .* as user, not 1 x 16/);
    const wrongDigits = await loadLogprobModel(fromBase64(tiny.base64), 50, 3);
    await expect(wrongDigits.run(history, 1)).rejects.toThrow(/float32 of 1,2,256 as logprobs, not 1 x 768/);
    await expect(asUser.run(new BigInt64Array(3), 1)).rejects.toThrow(/expected 1x50 history rows/);
  });
});
