/** One entry of `GET /v1/models`. */
export interface ModelInfo {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

/**
 * Upstream model names are printable ASCII. They become part of a URL path for some providers
 * (Gemini) and of the `x-switchyard-model` response header; a name that could leave that path
 * (`..` segments, `?`, `#`, `%`, backslashes) or holds anything but visible ASCII (spaces,
 * control characters, letters of other scripts, full-width slashes) is refused before any
 * upstream call.
 */
export const UNSAFE_MODEL = /(^|\/)\.\.(\/|$)|[?#%\\]|[^\x21-\x7e]/;
/** What UNSAFE_MODEL refuses, as error messages say it. */
export const MODEL_NAME_RULE =
  "a model name is visible ASCII, without spaces, '?', '#', '%', '\\' or '..' segments";
/** Model and alias names as a request may give them: visible ASCII (no spaces, no other scripts). */
export const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
