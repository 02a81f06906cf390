/**
 * Nothing an upstream sends in an error reaches the caller unscrubbed. An upstream (or a proxy in
 * front of it) may echo the credential it was sent in any field of its error, so every field the
 * caller can see is checked against the provider's secrets (its keys and the values of its
 * configured headers):
 *
 *   message          each secret replaced by `[redacted]`; a message still holding part of one
 *                    (SCRUB_WINDOW characters or more) is replaced by the gateway's own
 *   type, code       kept only when they look like an error vocabulary (letters, digits, `_.:-`,
 *                    at most 64) and hold no part of a secret; otherwise the gateway's own is used
 *   param            kept only when it looks like a field path and holds no part of a secret
 *   cause            (logged, never sent) replaced when its message holds part of a secret
 *
 * The provider is named on every error that leaves here.
 */
import { GatewayError } from "../core/errors.ts";

/** A run of this many characters of a secret counts as showing the secret. */
export const SCRUB_WINDOW = 12;
const VOCABULARY = /^[A-Za-z0-9_.:-]{1,64}$/;
const FIELD_PATH = /^[A-Za-z0-9_.[\]-]{1,128}$/;

export type Scrub = (err: GatewayError) => GatewayError;

const WITHHELD_CAUSE = "(the cause held part of a credential and is withheld)";

/** Every run of SCRUB_WINDOW characters of each secret (the secret itself when shorter). */
function windowsOf(secrets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    if (s.length <= SCRUB_WINDOW) out.add(s);
    else for (let i = 0; i + SCRUB_WINDOW <= s.length; i++) out.add(s.slice(i, i + SCRUB_WINDOW));
  }
  return [...out];
}

export function createScrubber(provider: string, secrets: readonly string[]): Scrub {
  const whole = [...new Set(secrets.filter((s) => s.length > 0))].sort(
    (a, b) => b.length - a.length,
  );
  const parts = windowsOf(whole);
  const leaks = (text: string) => parts.some((p) => text.includes(p));
  const keep = (value: string | undefined, shape: RegExp) =>
    value !== undefined && shape.test(value) && !leaks(value) ? value : undefined;

  return (err) => {
    let message = err.message;
    for (const s of whole) if (message.includes(s)) message = message.split(s).join("[redacted]");
    if (leaks(message)) {
      message = `provider "${provider}" answered ${err.status}; its message held part of a credential and is withheld`;
    }
    const upstreamType = keep(err.upstreamType, VOCABULARY);
    const upstreamCode = keep(err.upstreamCode, VOCABULARY);
    const param = keep(err.param, FIELD_PATH);
    // The cause is logged (its message, for a 5xx): a parser's message can quote the body.
    const causeText = err.cause instanceof Error ? err.cause.message : "";
    const cause = causeText && leaks(causeText) ? new Error(WITHHELD_CAUSE) : err.cause;
    if (
      message === err.message &&
      upstreamType === err.upstreamType &&
      upstreamCode === err.upstreamCode &&
      param === err.param &&
      cause === err.cause &&
      err.provider === provider
    ) {
      return err;
    }
    const data = err.toJSON();
    delete data.upstreamType;
    delete data.upstreamCode;
    delete data.param;
    return new GatewayError(err.code, message, {
      ...data,
      provider,
      ...(upstreamType === undefined ? {} : { upstreamType }),
      ...(upstreamCode === undefined ? {} : { upstreamCode }),
      ...(param === undefined ? {} : { param }),
      cause,
    });
  };
}
