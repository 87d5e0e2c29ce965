export * from "./catalog.ts";
export * from "./common.ts";
export * from "./emit.ts";
export * from "./errors.ts";
export * from "./health.ts";
export * from "./recommend.ts";
export * from "./registry.ts";
export * from "./rpc.ts";
