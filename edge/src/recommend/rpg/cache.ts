// Moved to recommend/sets/cache.ts (every model kind); services.ts imports it from here until it moves.
export { ArtifactCache } from "../sets/cache.ts";
