// The booking page through nginx, in Debian's chromium (playwright-core from frontend/node_modules,
// found through NODE_PATH): does the WebAssembly app start under nginx's Content-Security-Policy?
// Prints one JSON line: {"mounted": bool, "problems": [...]} (page errors, CSP violations, console
// errors). Run by backend/tests/nginx.rs:  NODE_PATH=frontend/node_modules node nginx_page.cjs URL
const { chromium } = require('playwright-core');

(async () => {
  const url = process.argv[2];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const problems = [];
  try {
    // The Rust test checks the certificate; here only the page matters.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    await page.goto(url, { waitUntil: 'load' });
    let mounted = true;
    try {
      // trunk's start-up script fires this once the wasm module runs.
      await page.waitForFunction(() => document.body && document.body.childElementCount > 0,
                                 null, { timeout: 20000 });
    } catch (e) {
      mounted = false;
    }
    await page.waitForTimeout(500);
    console.log(JSON.stringify({ mounted, problems }));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.log(JSON.stringify({ mounted: false, problems: [`runner: ${e.message}`] })); });
