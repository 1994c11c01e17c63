// Drives a server over stdio with the TypeScript SDK's client, which validates each result's structuredContent
// against the tool's outputSchema (listed first). Usage: node typed-results.mjs <plan.json>, where the plan is
// {"command": [...], "env": {...}, "calls": [{"tool": "...", "arguments": {...}}]}. Prints one JSON report on stdout:
// the listed tools (with whether they declare an outputSchema) and, per call, the result or the client's error.
// Calls that must be refused (with a code) come last.
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
const transport = new StdioClientTransport({
  command: plan.command[0],
  args: plan.command.slice(1),
  env: { ...process.env, ...(plan.env ?? {}) },
  stderr: "ignore",
});
const client = new Client({ name: "typed-results", version: "1.0.0" });
await client.connect(transport);

const tools = [];
let cursor;
do {
  const page = await client.listTools(cursor ? { cursor } : {});
  tools.push(...page.tools.map((t) => ({ name: t.name, outputSchema: t.outputSchema !== undefined })));
  cursor = page.nextCursor;
} while (cursor);

const calls = [];
for (const call of plan.calls) {
  try {
    const result = await client.callTool({ name: call.tool, arguments: call.arguments ?? {} });
    calls.push({
      tool: call.tool,
      isError: result.isError === true,
      structured: result.structuredContent !== undefined,
      text: (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join(""),
      // The stable code of an error: structuredContent.error, or _meta for a tool with an output schema.
      errorCode: (result.structuredContent?.error ?? result._meta?.["connectors/error"])?.code,
    });
  } catch (error) {
    // The client throws when structuredContent is missing or does not match the output schema.
    calls.push({ tool: call.tool, clientError: String(error?.message ?? error) });
  }
}

await client.close();
process.stdout.write(JSON.stringify({ tools, calls }));
