// Runs the npm peers on the same {"id","text"} JSON Lines the `whetstone redact` command reads and writes the same
// output lines {"id","redacted","findings":[{"start","end","kind"}]} (UTF-16 offsets, as JavaScript strings use).
// usage: node peers.cjs secretlint|redact-pii|openredaction IN.jsonl OUT.jsonl   (NODE_PATH = folder with node_modules)
// redact-pii returns only the redacted text: its findings are recovered by diffing (peers_diff.py).
// Prints "tool MB/s" for the detection work alone (file read and process start excluded) on stderr.
const fs = require("fs");
const readline = require("readline");

async function main() {
  const [tool, input, output] = process.argv.slice(2);
  const out = fs.createWriteStream(output);
  let detect;
  if (tool === "secretlint") {
    const { lintSource } = require("@secretlint/core");
    const { creator } = require("@secretlint/secretlint-rule-preset-recommend");
    const config = { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: creator }] };
    detect = async (text) => {
      const r = await lintSource({ source: { content: text, filePath: "/input.txt", ext: ".txt", contentType: "text" }, options: { config } });
      const findings = r.messages.map((m) => ({ start: m.range[0], end: m.range[1], kind: m.ruleId }));
      return { redacted: null, findings };
    };
  } else if (tool === "redact-pii") {
    const { SyncRedactor } = require("redact-pii");
    const r = new SyncRedactor();
    detect = async (text) => ({ redacted: r.redact(text), findings: null });
  } else if (tool === "openredaction") {
    const { OpenRedaction } = require("openredaction");
    const r = new OpenRedaction();
    detect = async (text) => {
      const x = await r.detect(text);
      return { redacted: x.redacted, findings: x.detections.map((d) => ({ start: d.position[0], end: d.position[1], kind: d.type })) };
    };
  } else {
    throw new Error("unknown tool " + tool);
  }
  const rl = readline.createInterface({ input: fs.createReadStream(input), crlfDelay: Infinity });
  let bytes = 0, ms = 0;
  for await (const line of rl) {
    if (!line.trim()) continue;
    const rec = JSON.parse(line);
    const t0 = process.hrtime.bigint();
    const r = await detect(rec.text);
    ms += Number(process.hrtime.bigint() - t0) / 1e6;
    bytes += Buffer.byteLength(rec.text);
    if (!out.write(JSON.stringify({ id: rec.id, redacted: r.redacted, findings: r.findings }) + "\n")) {
      await new Promise((res) => out.once("drain", res));
    }
  }
  out.end();
  process.stderr.write(`${tool} ${(bytes / 1048576 / (ms / 1000)).toFixed(2)} MB/s (detection only, ${(bytes / 1048576).toFixed(1)} MiB)\n`);
}
main().catch((e) => { console.error(e); process.exit(1); });
