// The owner's dashboard (BASE_URL is the admin listener): login (a wrong password first),
// the bookings list with real bookings and search, the calendars view with a real source,
// "sync now" and the add-a-calendar form (a refused feed), the week view, statistics, rules and the delivery log;
// axe finds no serious violation on any of
// them; at 320 px nothing is wider than the screen; screenshots (dashboard.png at 1280x800).
//
// Also: PASSWORD, NAMES (comma-separated visitor names that must be listed), SOURCE (a
// calendar's shown name).

import { BASE_URL, run, visitor, open, axe, screenshot, check, assertClean, output } from "./lib.mjs";

const password = process.env.PASSWORD;
const names = (process.env.NAMES || "").split(",").filter(Boolean);
const sourceName = process.env.SOURCE;
check(password && names.length >= 2 && sourceName, "set PASSWORD, NAMES (two or more) and SOURCE");
const publicBase = (process.env.PUBLIC || "").replace(/\/$/, "");
check(publicBase, "set PUBLIC (the public listener's base URL)");

await run("dashboard", async () => {
  const { page, context } = await visitor({ timezoneId: "Europe/Berlin", width: 1280, height: 800 });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE_URL });
  const section = async (name) => {
    await page.getByRole("navigation", { name: "Dashboard sections" })
      .getByRole("link", { name, exact: true }).click();
    const heading = page.getByRole("heading", { level: 2, name, exact: true });
    await heading.waitFor();
    check(await heading.evaluate((el) => el === document.activeElement), `${name}: the heading has the focus`);
  };

  // Login: the field has the focus; a wrong password is refused in words, the focus stays.
  await open(page, "/admin");
  const field = page.getByLabel("Password");
  await field.waitFor();
  check(await field.evaluate((el) => el === document.activeElement), "the password field has the focus");
  await axe(page, "login");
  page.expectedStatuses.add(401);
  await field.fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByText("That password is not right.").waitFor();
  check(await field.evaluate((el) => el === document.activeElement), "the focus is back on the field");
  page.expectedStatuses.delete(401);
  await field.fill(password);
  await field.press("Enter");

  // Bookings: the real ones, each once, with their calendar writes; search narrows them.
  await page.getByRole("heading", { level: 2, name: "Bookings" }).waitFor();
  for (const n of names) await page.locator(".booking .who", { hasText: n }).first().waitFor();
  check(await page.locator(".booking").count() === names.length, "every booking is listed once");
  check(await page.locator(".booking .writes").first().isVisible(), "calendar writes are shown");
  const search = page.getByLabel("Search by name or email");
  await search.fill(names[0]);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.waitForFunction((n) => {
    const rows = [...document.querySelectorAll(".booking .who")];
    return rows.length === 1 && rows[0].textContent === n;
  }, names[0]);
  await search.fill("");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.locator(".booking").nth(names.length - 1).waitFor();
  await axe(page, "bookings");
  await page.screenshot({ path: `${process.env.SCREENSHOTS || "target/screenshots"}/dashboard.png` });

  // Calendars: the real source, healthy; "sync now" announces its outcome in the live region.
  await section("Calendars");
  const card = page.locator(".source", { hasText: sourceName });
  await card.waitFor();
  check(await card.locator(".badge-ok").count() === 1, `the calendar ${sourceName} is healthy`);
  await page.getByRole("button", { name: "Sync now" }).click();
  await page.getByRole("status").filter({ hasText: "Every calendar was synced." }).waitFor();
  check(await card.getByText("From the configuration file (read-only here)").count() === 1,
    "the file's calendar is marked read-only");
  check(await card.getByRole("button", { name: "Remove" }).count() === 0, "the file's calendar has no remove button");

  // Adding a calendar: the form; a feed nobody serves is refused in words and nothing is saved.
  await page.getByRole("button", { name: "Add a calendar" }).click();
  const form = page.locator("form.source-form");
  await form.waitFor();
  await axe(page, "add a calendar");
  await form.getByLabel("Kind").selectOption("ics");
  await form.getByLabel("Id (letters").fill("lan");
  await form.getByLabel("URL").fill("http://127.0.0.1:9/feed.ics");
  page.expectedStatuses.add(422);
  await form.getByRole("button", { name: "Check and save" }).click();
  await form.getByRole("alert").filter({ hasText: "not saved" }).waitFor();
  page.expectedStatuses.delete(422);
  await form.getByRole("button", { name: "Close" }).click();
  await form.waitFor({ state: "detached" });
  check(await page.locator(".source").count() === 1, "nothing was added");

  // The feeds: their addresses open the owner's bookings; copied; made anew, the old ones die.
  const feedField = page.getByRole("textbox", { name: "Bookings (bookings.ics)" });
  await feedField.waitFor();
  const feedUrl = await feedField.inputValue();
  const feedText = async (url) => {
    const r = await fetch(url);
    return [r.status, await r.text()];
  };
  const [feedStatus, feedBody] = await feedText(feedUrl);
  check(feedStatus === 200 && feedBody.includes(names[0]), `the bookings feed answers with the bookings: ${feedStatus}`);
  const fbUrl = await page.getByRole("textbox", { name: "Free/busy (freebusy.ics)" }).inputValue();
  check((await feedText(fbUrl))[0] === 200, "the free/busy feed answers");
  await page.getByRole("button", { name: "Copy the address: Bookings (bookings.ics)" }).click();
  await page.getByRole("status").filter({ hasText: "Copied." }).waitFor();
  check(await page.evaluate(() => navigator.clipboard.readText()) === feedUrl, "the address is on the clipboard");
  await page.getByRole("button", { name: "Make new feed addresses…" }).click();
  await page.getByText("The current addresses stop working at once").waitFor();
  await axe(page, "feeds: confirm");
  await page.getByRole("button", { name: "Yes, make new addresses" }).click();
  await page.getByRole("status").filter({ hasText: "New feed addresses are ready" }).waitFor();
  await page.waitForFunction((old) => document.querySelector("#feed-bookings").value !== old, feedUrl);
  const newUrl = await feedField.inputValue();
  check((await feedText(feedUrl))[0] === 404, "the old feed address no longer works");
  check((await feedText(newUrl))[0] === 200, "the new feed address works");
  await axe(page, "calendars");
  await screenshot(page, "dashboard-calendars");

  // Week view: seven days of lanes; statistics: six charts and the rates; the rules form.
  await section("Week");
  await page.locator(".week-day").nth(6).waitFor();
  check(await page.locator(".week-day").count() === 7, "seven days");
  await axe(page, "week");
  await screenshot(page, "dashboard-week");
  await section("Statistics");
  await page.locator(".chart svg").nth(5).waitFor();
  const rates = await page.locator(".rates").innerText();
  check(rates.includes("Cancelled: 0 %"), `the rates: ${rates}`);
  const sources = await page.locator(".chart-refs svg").getAttribute("aria-label");
  check(sources.includes("direct"), `bookings by source: ${sources}`);
  await axe(page, "statistics");
  await section("Rules");
  await page.getByRole("button", { name: "Save and apply" }).waitFor();
  await axe(page, "rules");
  // Deliveries: without [mail] or [[webhooks]] the log says why it is empty.
  await section("Deliveries");
  await page.getByText("Nothing sent yet.", { exact: false }).waitFor();
  // The mail settings above it say mail is off, and offer no test mail.
  await page.getByRole("region", { name: "Mail" }).getByText("Mail is off", { exact: false }).waitFor();
  check(await page.getByRole("button", { name: "Send a test mail" }).count() === 0, "no test mail without [mail]");
  await axe(page, "deliveries");
  // API keys: above them, the access settings. The file sets the captcha and the visitors'
  // limit (read-only here); the keys' limit it leaves unset is edited and applies at once.
  await section("API keys");
  const access = page.getByRole("region", { name: "Access" });
  const proof = access.getByLabel("Proof of work on bookings");
  await proof.waitFor();
  check(await proof.isDisabled(), "the file's captcha cannot be changed here");
  check(await access.getByLabel("Booking attempts per visitor").getAttribute("readonly") !== null,
    "the file's visitor limit is read-only");
  const setInFile = "Set in the configuration file (read-only here); change it there.";
  check(await access.getByText(setInFile, { exact: true }).count() === 2, "both say where they are set");
  check(await access.getByText("set in the configuration file only").count() === 1, "and the origins too");
  const keyLimit = access.getByLabel("Requests per API key");
  check(await keyLimit.inputValue() === "120", "the default keys' limit");
  await keyLimit.fill("100001");
  await access.getByRole("button", { name: "Save" }).click();
  await access.getByRole("alert").filter({ hasText: "from 0 to 100000" }).waitFor();
  await keyLimit.fill("1");
  await access.getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").filter({ hasText: "Access settings saved" }).waitFor();
  check(await access.getByLabel("Requests per API key").inputValue() === "1", "saved");
  await axe(page, "api keys");
  await screenshot(page, "dashboard-access");
  // A key for a CRM that reads free times: shown once, copied, used, revoked.
  await page.getByLabel("Who uses it").fill("CRM");
  await page.getByLabel("read free times (slots:read)").check();
  await page.getByRole("button", { name: "Make the key" }).click();
  const shown = page.getByRole("group", { name: "The new key, shown only this once" });
  const key = await shown.locator("input").inputValue();
  check(/^osk_[0-9a-f]+_\S+$/.test(key), `a key: ${key.slice(0, 8)}…`);
  await axe(page, "new api key");
  await shown.getByRole("button", { name: "Copy" }).click();
  await page.getByRole("status").filter({ hasText: "Copied" }).waitFor();
  check(await page.evaluate(() => navigator.clipboard.readText()) === key, "the key is on the clipboard");
  await shown.getByRole("button", { name: "I have copied it" }).click();
  check(await page.getByText(key).count() === 0 && await page.locator(`input[value="${key}"]`).count() === 0,
    "the key is not shown again");
  const crm = page.locator("li.api-key", { hasText: "CRM" });
  await crm.waitFor();
  const asKey = () => fetch(`${publicBase}/api/v1/event-types`, { headers: { Authorization: `Bearer ${key}` } });
  const used = await asKey();
  check(used.status === 200 && used.headers.get("ratelimit-limit") === "1",
    `the key reads the API with RateLimit headers, the limit saved above: ${used.status}`);
  check((await asKey()).status === 429, "a second request in the minute is over the saved limit");
  await crm.getByRole("button", { name: "Revoke the API key CRM" }).click();
  await crm.getByRole("button", { name: "Yes, revoke" }).click();
  await page.getByRole("status").filter({ hasText: "The key is revoked." }).waitFor();
  check((await asKey()).status === 401, "a revoked key is refused");

  // A phone: nothing wider than the screen (the week scrolls inside its own region).
  await page.setViewportSize({ width: 320, height: 640 });
  await section("Bookings");
  await page.locator(".booking").first().waitFor();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 320, `the page is ${wide} px wide at 320 px`);
  await screenshot(page, "dashboard-320");
  assertClean(page, "dashboard");
  output({ bookings: names.length });
});
