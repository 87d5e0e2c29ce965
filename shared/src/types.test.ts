import { describe, expectTypeOf, it } from "vitest";
import type { ErrorEnvelope, RpcRequest, RpcResponse, SessionRecommendRequest } from "./index.ts";
import { SessionRecommendRequest as SessionSchema } from "./index.ts";

describe("inferred wire types", () => {
  it("makes defaulted request fields optional on input and present after parsing", () => {
    expectTypeOf<RpcRequest<"train">["preset"]>().toEqualTypeOf<
      "tiny" | "quick" | "cpu" | "full" | undefined
    >();
    expectTypeOf<SessionRecommendRequest["n"]>().toEqualTypeOf<number>();
    const parsed = SessionSchema.parse({ history: ["B00001"] });
    expectTypeOf(parsed.exclude_seen).toEqualTypeOf<boolean>();
  });

  it("types RPC replies and errors with string codes", () => {
    expectTypeOf<RpcResponse<"job_status">["state"]>().toEqualTypeOf<
      "queued" | "running" | "succeeded" | "failed" | "cancelled"
    >();
    expectTypeOf<ErrorEnvelope["error"]["code"]>().toExtend<string>();
  });
});
