// Moved to edge/src/recommend/rpg/recommend.ts. This re-export only keeps bench/, which imports
// this path, building; nothing in edge/ imports it. Delete it once bench/ imports the new path.
export * from "../recommend/rpg/recommend.ts";
