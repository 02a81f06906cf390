export { createRouter, type Router, type RoutePlan, type Target } from "./router.ts";
export { compileGlob, globMatcher } from "./glob.ts";
