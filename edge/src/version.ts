import pkg from "../package.json" with { type: "json" };

/** The edge's release version, as in edge/package.json. */
export const VERSION: string = pkg.version;
