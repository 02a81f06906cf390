export { geminiProvider } from "./adapter.ts";
