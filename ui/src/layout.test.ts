// The layout of ui/src as a test (components/README.md): views use components and lib;
// a component uses lib, shared/ and its own concept folder; lib imports no component.
import { describe, expect, it } from "vitest";

/** Every source file (and stylesheet), by its path from src/ ("lib/format.ts"), as written. */
const sources: Record<string, string> = Object.fromEntries(
  Object.entries(
    import.meta.glob<string>(["./**/*.ts", "./**/*.svelte", "./**/*.css"], { query: "?raw", import: "default", eager: true }),
  ).map(([path, text]) => [path.replace(/^\.\//, ""), text]),
);

/** The folders of components/, one per concept. */
const CONCEPTS = ["shared", "doors", "guests", "handover", "keys", "sync", "history", "settings", "members", "kiosk"];

/** The modules a source names: `import … from`, `export … from`, `import "…"`, `import("…")`. */
function specifiers(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)].map((m) => m[1]);
}

/** `spec` as imported from `file`, as a path from src/; `null` for a package. */
function resolve(file: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const parts = file.split("/").slice(0, -1);
  for (const part of spec.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  const path = parts.join("/");
  // "./i18n.svelte" is the module i18n.svelte.ts, not a component.
  return [path, `${path}.ts`].find((p) => p in sources) ?? `${path} (missing)`;
}

/** Every relative import in the sources under `folder`, resolved. */
function importsUnder(folder: string): { file: string; target: string }[] {
  return Object.entries(sources)
    .filter(([file]) => file.startsWith(folder))
    .flatMap(([file, text]) =>
      specifiers(text).flatMap((spec) => {
        const target = resolve(file, spec);
        return target === null ? [] : [{ file, target }];
      }),
    );
}

const isComponent = (path: string) => path.endsWith(".svelte");

describe("ui/src layout", () => {
  it("reads the imports it checks", () => {
    expect(importsUnder("views/Staff.svelte")).toContainEqual({ file: "views/Staff.svelte", target: "lib/bindings.ts" });
    expect(importsUnder("lib/")).toContainEqual({ file: "lib/i18n.svelte.ts", target: "lib/messages.ts" });
  });

  it("resolves every relative import to a file", () => {
    expect(importsUnder("").filter((i) => i.target.endsWith("(missing)"))).toEqual([]);
  });

  it("keeps lib/ free of components and screens: it imports only lib/", () => {
    expect(importsUnder("lib/").filter((i) => isComponent(i.target) || !i.target.startsWith("lib/"))).toEqual([]);
    expect(Object.keys(sources).filter((f) => f.startsWith("lib/") && isComponent(f))).toEqual([]);
  });

  it("lets a component use lib/, shared/ and its own concept, never a view", () => {
    const wrong = importsUnder("components/").filter(({ file, target }) => {
      const own = file.split("/").slice(0, 2).join("/") + "/";
      return !(target.startsWith("lib/") || target.startsWith("components/shared/") || target.startsWith(own));
    });
    expect(wrong).toEqual([]);
  });

  it("puts every component in one concept folder and every screen in views/", () => {
    const misplaced = Object.keys(sources)
      .filter(isComponent)
      .filter((f) => {
        const parts = f.split("/");
        const placed =
          (parts[0] === "views" && parts.length === 2) ||
          (parts[0] === "components" && parts.length === 3 && CONCEPTS.includes(parts[1]));
        return !placed;
      });
    expect(misplaced).toEqual([]);
  });

  it("keeps the generated bindings where the Rust generator writes them", () => {
    // src-tauri/src/contract.rs writes and compares ui/src/lib/bindings.ts.
    expect(sources["lib/bindings.ts"]).toContain("export const api");
  });
});
