export { openAiCompatible, type OpenAiCompatibleOptions } from "./compatible.ts";
export { openai, openAiPresets } from "./presets.ts";
