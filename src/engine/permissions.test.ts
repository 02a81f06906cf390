import { describe, expect, it } from "bun:test";
import { thrown } from "../../test/helpers/canonical.ts";
import { permittedTargets } from "./permissions.ts";

const t = (provider: string, model: string, via: string) => ({ provider, model, via });

describe("the caller's model permissions", () => {
  const route = [t("up", "a", "up/a"), t("anth", "opus", "anth/opus")];

  it("leave the targets alone when the caller has none", () => {
    expect(permittedTargets(route, "up/a", ["anth/opus"], undefined)).toBe(route);
  });

  it("refuse a request fallback the caller may not use, naming it as a fallback", () => {
    const err = thrown(() => permittedTargets(route, "up/a", ["anth/opus"], ["up/*"]));
    expect(err.code).toBe("MODEL_NOT_ALLOWED");
    expect(err.status).toBe(403);
    expect(err.param).toBe("fallbacks");
  });

  it("refuse the model asked for when none of its targets is allowed", () => {
    const err = thrown(() => permittedTargets([t("anth", "opus", "smart")], "smart", [], ["up/*"]));
    expect(err.param).toBe("model");
  });

  it("keep an alias's operator-chosen targets for a caller allowed the alias by name", () => {
    const smart = [t("up", "a", "smart"), t("anth", "opus", "smart")];
    expect(permittedTargets(smart, "smart", [], ["smart"])).toEqual(smart);
  });

  it("drop the targets of an alias the caller reaches only through its provider/model globs", () => {
    const smart = [t("up", "a", "smart"), t("anth", "opus", "smart")];
    expect(permittedTargets(smart, "smart", [], ["up/*"])).toEqual([t("up", "a", "smart")]);
  });
});
