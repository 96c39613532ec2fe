// The end-to-end harness: Debian's Chromium driven by playwright-core (never a downloaded
// browser). Every page fails the run on a page error, a console error, or a request to any
// origin but the one under test (no CDN, no fonts, no trackers: privacy is a feature).
//
// The scenarios (booking.mjs, dashboard.mjs) are run by backend/tests/e2e/, which starts the
// real service, Radicale and (in the deployment test) nginx, and passes:
//   BASE_URL     the origin under test, e.g. http://127.0.0.1:41234
//   SCREENSHOTS  the folder for screenshots (target/screenshots)
//   OUT          a file the scenario writes its JSON result to, for the Rust side to check
//   ALLOWED_ORIGINS  (optional) origins the scenario may visit besides BASE_URL, comma-separated
//   CLOCK_START, CLOCK_SET_AT  when the service's clock is pinned (OPENSLOT_CLOCK_START): the
//                pinned instant and the wall-clock time (ms) at which the service started;
//                every visitor's browser gets the same clock (Playwright's clock API), running on

import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const BASE_URL = must("BASE_URL").replace(/\/$/, "");
export const SCREENSHOTS = process.env.SCREENSHOTS || "target/screenshots";
// Other origins a scenario visits on purpose (the stand-in of a sign-in page), comma-separated.
const ALLOWED_ORIGINS = new Set((process.env.ALLOWED_ORIGINS || "").split(",").filter(Boolean).map((u) => new URL(u).origin));

function must(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return v;
}

/** Writes the scenario's result for the Rust side. */
export function output(result) {
  if (process.env.OUT) fs.writeFileSync(process.env.OUT, JSON.stringify(result, null, 2));
}

export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

let browser;

/** Starts Chromium once per run. */
export async function launch() {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  return browser;
}

export async function close() {
  if (browser) await browser.close();
}

/**
 * A visitor: a fresh context (no cookies, no storage) with a time zone, a locale and a
 * viewport, and a page that records every error. `expected` lists HTTP statuses the scenario
 * provokes on purpose (Chromium logs those as console errors: "Failed to load resource").
 */
export async function visitor({ timezoneId = "UTC", locale = "en-US", width = 1280, height = 800, ignoreHTTPSErrors = false, colorScheme = "light" } = {}) {
  const context = await browser.newContext({
    colorScheme,
    timezoneId,
    locale,
    viewport: { width, height },
    ignoreHTTPSErrors,
    reducedMotion: "reduce",
  });
  const pinned = pinnedClock();
  if (pinned !== null) await context.clock.install({ time: pinned });
  const page = await context.newPage();
  const errors = [];
  page.expectedStatuses = new Set();
  // Set by a scenario that takes the network away on purpose.
  page.offlineOnPurpose = false;
  const origin = new URL(BASE_URL).origin;
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const text = m.text();
    const status = /status of (\d{3})/.exec(text);
    if (status && page.expectedStatuses.has(Number(status[1]))) return;
    if (page.offlineOnPurpose && /ERR_INTERNET_DISCONNECTED/.test(text)) return;
    errors.push(`console error: ${text}`);
  });
  page.on("request", (r) => {
    const url = r.url();
    if (url.startsWith("data:") || url.startsWith("blob:")) return;
    const to = new URL(url).origin;
    if (to !== origin && !ALLOWED_ORIGINS.has(to)) errors.push(`request to another origin: ${url}`);
  });
  // Which request a server error answered (the console line names only the status).
  page.on("response", (r) => {
    if (r.status() >= 500 && !page.expectedStatuses.has(r.status())) {
      errors.push(`server error: ${r.request().method()} ${r.url()} ${r.status()}`);
    }
  });
  page.on("requestfailed", (r) => {
    // A navigation away or an aborted fetch is not a failure of the page.
    const failure = r.failure()?.errorText || "";
    if (failure.includes("ERR_ABORTED")) return;
    if (page.offlineOnPurpose && failure.includes("ERR_INTERNET_DISCONNECTED")) return;
    errors.push(`request failed: ${r.url()} ${failure}`);
  });
  page.errors = errors;
  return { context, page };
}

/**
 * The service's pinned clock now (ms), or null when it runs on the wall clock: the pinned
 * start plus the time since the service started.
 */
function pinnedClock() {
  if (!process.env.CLOCK_START) return null;
  const start = Date.parse(process.env.CLOCK_START);
  const setAt = Number(process.env.CLOCK_SET_AT);
  check(!Number.isNaN(start) && setAt > 0, "CLOCK_START is an instant and CLOCK_SET_AT a time in ms");
  return start + (Date.now() - setAt);
}

/** Throws when the page logged an error, threw, or asked another origin for anything. */
export function assertClean(page, step) {
  if (page.errors.length) {
    throw new Error(`${step}: the page had errors:\n  ${page.errors.join("\n  ")}`);
  }
}

/** Opens a path and waits until the app has mounted (its <main> is on the page). */
export async function open(page, pathAndQuery) {
  const response = await page.goto(BASE_URL + pathAndQuery);
  check(response && response.ok(), `GET ${pathAndQuery} answered ${response && response.status()}`);
  await page.locator("main").first().waitFor();
  return response;
}

const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/**
 * axe-core inside the page (evaluated through the DevTools protocol, so a strict CSP does not
 * block it): fails on any serious or critical violation.
 */
export async function axe(page, label) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (bad.length) {
    throw new Error(`${label}: axe found serious violations:\n${JSON.stringify(bad, null, 2)}`);
  }
  return result;
}

export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Presses Tab until `selector` has the focus (at most `max` presses): proves the control is
 * reachable by keyboard in the page's own order.
 */
export async function tabTo(page, selector, max = 80) {
  for (let i = 0; i < max; i++) {
    const hit = await page.evaluate(
      (s) => document.activeElement && document.activeElement.matches(s),
      selector,
    );
    if (hit) return i;
    await page.keyboard.press("Tab");
  }
  throw new Error(`${selector} was not reached with ${max} presses of Tab`);
}

/** Runs a scenario: launches, runs, closes; any failure exits 1 with the reason. */
export async function run(name, scenario) {
  const started = Date.now();
  try {
    await launch();
    await scenario();
    console.log(`${name}: ok (${Date.now() - started} ms)`);
  } catch (e) {
    console.error(`${name}: FAILED\n${e.stack || e}`);
    process.exitCode = 1;
  } finally {
    await close();
  }
}

export const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "openslot-e2e-"));
