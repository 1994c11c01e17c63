// Preload for the Node reference servers in the benchmarks (NODE_OPTIONS=--require bench/node/redirect-fetch.cjs):
// they hard-code https://api.github.com and https://slack.com/api and call the global fetch (server-github installs
// node-fetch only when there is no global fetch, which Node 18+ always has). This wraps the global fetch and rewrites
// the origin named in BENCH_REDIRECT ("https://api.github.com/=http://127.0.0.1:4321/"; several pairs separated by
// spaces) so the servers talk to the local emulators. Anything else goes out unchanged; an unset variable does nothing.
"use strict";

const rules = (process.env.BENCH_REDIRECT || "")
  .split(/\s+/)
  .filter(Boolean)
  .map((pair) => {
    const at = pair.indexOf("=");
    if (at < 1) throw new Error(`BENCH_REDIRECT: '${pair}' is not FROM=TO`);
    return { from: pair.slice(0, at), to: pair.slice(at + 1) };
  });

const original = globalThis.fetch;
if (rules.length > 0 && typeof original === "function") {
  const rewrite = (url) => {
    const rule = rules.find((r) => url.startsWith(r.from));
    return rule ? rule.to + url.slice(rule.from.length) : url;
  };
  globalThis.fetch = function redirectedFetch(input, init) {
    if (typeof input === "string") return original(rewrite(input), init);
    if (input instanceof URL) return original(rewrite(input.href), init);
    if (input instanceof Request) return original(new Request(rewrite(input.url), input), init);
    return original(input, init);
  };
}
