// Copies the pinned npm packages' distributable files into the Django static tree,
// so whitenoise serves them and no page ever loads a CDN.
import { cpSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "yingxiao", "web", "static", "vendor");
const files = {
  "htmx.org/dist/htmx.min.js": "htmx.min.js",
  "@alpinejs/csp/dist/cdn.min.js": "alpine-csp.min.js",
  "bootstrap/dist/css/bootstrap.min.css": "bootstrap.min.css",
  "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap.bundle.min.js",
  "bootstrap-icons/font/bootstrap-icons.min.css": "bootstrap-icons/bootstrap-icons.min.css",
  "bootstrap-icons/font/fonts": "bootstrap-icons/fonts",
  "echarts/dist/echarts.min.js": "echarts.min.js",
};
for (const [src, dest] of Object.entries(files)) {
  const target = join(vendor, dest);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(root, "node_modules", src), target, { recursive: true });
}
console.log(`assets copied to ${vendor}`);
