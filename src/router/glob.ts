/** Model-name globs: `*` matches any run of characters, `?` exactly one; everything else is literal. */
export function compileGlob(glob: string): RegExp {
  let source = "";
  for (const ch of glob) {
    if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else source += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** A matcher for a list of globs; an empty list matches everything. */
export function globMatcher(globs: readonly string[]): (name: string) => boolean {
  if (globs.length === 0) return () => true;
  const res = globs.map(compileGlob);
  return (name) => res.some((re) => re.test(name));
}
