// The owner's dashboard in real headless Chromium: login (a wrong password first), the
// bookings list with real bookings and search, the calendars view with a real source and
// "sync now", the week view and statistics; axe-core finds no serious violation; a screenshot
// at 1280x800. Any page error or console error fails the run.
//
// Environment: ADMIN_URL (the admin listener, e.g. http://127.0.0.1:8081), ADMIN_PASSWORD,
// EXPECT_NAMES (comma-separated visitor names that must be listed), EXPECT_SOURCE (a source's
// shown name), SCREENSHOT_DIR (default ../target/screenshots).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const base = process.env.ADMIN_URL;
const password = process.env.ADMIN_PASSWORD;
const names = (process.env.EXPECT_NAMES || '').split(',').filter(Boolean);
const sourceName = process.env.EXPECT_SOURCE;
const shots = process.env.SCREENSHOT_DIR || path.join(here, '..', '..', 'target', 'screenshots');
if (!base || !password || names.length < 2 || !sourceName) {
  console.error('set ADMIN_URL, ADMIN_PASSWORD, EXPECT_NAMES (two or more) and EXPECT_SOURCE');
  process.exit(2);
}

const problems = [];
// The wrong password's 401 is the one failed request the browser logs on purpose.
let expected401 = 0;
const context = await chromium.launchPersistentContext(fs.mkdtempSync('/tmp/openslot-e2e-'), {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] || await context.newPage();
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('console', (m) => {
  if (m.type() !== 'error') return;
  if (expected401 > 0 && m.text().includes('status of 401')) {
    expected401 -= 1;
    return;
  }
  problems.push(`console error: ${m.text()}`);
});
// Nothing may leave for another origin.
page.on('request', (r) => {
  if (!r.url().startsWith(base) && !r.url().startsWith('data:')) {
    problems.push(`request to another origin: ${r.url()}`);
  }
});

function check(ok, what) {
  if (!ok) throw new Error(what);
}

async function axe(label) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate(async () => window.axe.run(document, {
    resultTypes: ['violations'],
  }));
  const serious = result.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  for (const v of serious) {
    problems.push(`axe (${label}): ${v.id} ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
  }
}

async function section(name) {
  await page.getByRole('navigation', { name: 'Dashboard sections' })
    .getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 2, name, exact: true }).waitFor();
}

try {
  fs.mkdirSync(shots, { recursive: true });
  const answer = await page.goto(`${base}/admin`);
  check(answer && answer.ok(), `GET /admin answered ${answer && answer.status()}`);

  // Login: the field has the focus; a wrong password is refused in words.
  const field = page.getByLabel('Password');
  await field.waitFor();
  check(await field.evaluate((el) => el === document.activeElement), 'the password field has the focus');
  await axe('login');
  await field.fill('not the password');
  expected401 = 1;
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('That password is not right.').waitFor();
  check(await field.evaluate((el) => el === document.activeElement), 'the focus is back on the field');
  await field.fill(password);
  await field.press('Enter');

  // Bookings: the real ones, with their calendar writes; search narrows them.
  await page.getByRole('heading', { level: 2, name: 'Bookings' }).waitFor();
  for (const n of names) await page.locator('.booking .who', { hasText: n }).first().waitFor();
  check(await page.locator('.booking').count() === names.length, 'every booking is listed once');
  check(await page.locator('.booking .writes').first().isVisible(), 'calendar writes are shown');
  await page.getByLabel('Search by name or email').fill(names[0]);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForFunction((n) => {
    const rows = [...document.querySelectorAll('.booking .who')];
    return rows.length === 1 && rows[0].textContent === n;
  }, names[0]);
  await page.getByLabel('Search by name or email').fill('');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.locator('.booking').nth(names.length - 1).waitFor();
  await axe('bookings');
  await page.screenshot({ path: path.join(shots, 'dashboard.png') });

  // Calendars: the real source, then "sync now" announces its outcome.
  await section('Calendars');
  const card = page.locator('.source', { hasText: sourceName });
  await card.waitFor();
  check((await card.textContent()).includes('ok'), `the source ${sourceName} is healthy`);
  await page.getByRole('button', { name: 'Sync now' }).click();
  await page.getByRole('status').filter({ hasText: 'Every calendar was synced.' }).waitFor();
  await axe('calendars');
  await page.screenshot({ path: path.join(shots, 'dashboard-calendars.png') });

  // Week view: lanes per day with bars; statistics: four charts.
  await section('Week');
  await page.locator('.week-day').first().waitFor();
  check(await page.locator('.week-day').count() === 7, 'seven days');
  await axe('week');
  await page.screenshot({ path: path.join(shots, 'dashboard-week.png'), fullPage: true });
  await section('Statistics');
  await page.locator('.chart svg').nth(3).waitFor();
  await axe('statistics');
  await section('Rules');
  await page.getByRole('button', { name: 'Save and apply' }).waitFor();
  await axe('rules');

  // A phone: nothing wider than the screen outside the scrolling week.
  await page.setViewportSize({ width: 320, height: 640 });
  await section('Bookings');
  await page.locator('.booking').first().waitFor();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 320, `the page is ${wide} px wide at 320 px`);
  await page.screenshot({ path: path.join(shots, 'dashboard-320.png'), fullPage: true });
} catch (e) {
  problems.push(`failed: ${e.message}`);
  await page.screenshot({ path: path.join(shots, 'dashboard-failure.png') }).catch(() => {});
} finally {
  await context.close();
}

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('dashboard: ok');
