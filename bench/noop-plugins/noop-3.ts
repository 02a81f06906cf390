import { noopPlugin } from "./noop.ts";

export default noopPlugin("noop-3");
