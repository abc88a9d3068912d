// Reads every .tf file under a folder with HashiCorp's own HCL parser and formatter (the
// Go libraries compiled to WebAssembly, from the @cdktf/hcl2json and @cdktf/hcl-tools
// packages) and prints one JSON object: { files: { path: { parsed, formatted_ok } },
// errors: [...] }. Exit 0 when everything parsed, 1 otherwise.
"use strict";
const fs = require("fs");
const path = require("path");
const { parse } = require("@cdktf/hcl2json");
const { format } = require("@cdktf/hcl-tools");

function walk(dir) {
  let out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out = out.concat(walk(p));
    else if (e.name.endsWith(".tf")) out.push(p);
  }
  return out.sort();
}

(async () => {
  const root = process.argv[2];
  const result = { files: {}, errors: [] };
  for (const file of walk(root)) {
    const rel = path.relative(root, file);
    const text = fs.readFileSync(file, "utf8");
    try {
      const parsed = await parse(rel, text);
      const formatted = await format(text);
      result.files[rel] = { parsed, formatted_ok: formatted === text };
      if (formatted !== text) result.files[rel].formatted = formatted;
    } catch (e) {
      result.errors.push(`${rel}: ${String(e)}`);
    }
  }
  // Exit only once the output is flushed: on a pipe, process.exit() right after write()
  // cuts it at the pipe's buffer size (64 KiB).
  const code = result.errors.length ? 1 : 0;
  process.stdout.write(JSON.stringify(result), () => process.exit(code));
})();
