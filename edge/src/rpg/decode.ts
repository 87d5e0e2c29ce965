// Moved to recommend/rpg/decode.ts; this re-export keeps bench/ (which imports this path) building until it
// imports the new one. Nothing in edge/ imports it: delete it then.
export * from "../recommend/rpg/decode.ts";
