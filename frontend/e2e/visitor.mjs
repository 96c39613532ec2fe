// The visitor's experience (issue 18), run by backend/tests/e2e/visitor.rs on the scenario clock:
// - on a phone (360x740) a tapped day's first time is in view without scrolling by hand, on the
//   booking page and in the manage page's reschedule picker;
// - the time zone field finds "Tokyo" and "Kolkata", shows offsets and clocks, works by
//   keyboard (arrows, Enter, Escape), and a browser in Asia/Calcutta is shown Asia/Kolkata;
// - what the visitor typed survives "Back to the times" and "just taken";
// - a service that does not answer is not called "offline" when the browser is online;
// - the owner's accent #f5c400 reads: axe finds no violation on any step from the times to the
//   cancelled booking, light and dark; the month has today marked and a hover that is not the
//   chosen look.

import { BASE_URL, assertClean, axe, check, open, output, run, visitor } from "./lib.mjs";

async function ready(page) {
  await open(page, "/?type=intro");
  await page.getByRole("heading", { level: 1, name: "Intro call" }).waitFor();
  await page.locator(".grid[aria-busy='false']").waitFor();
  await page.locator("button.slot").first().waitFor();
}

/** Whether the first time button is wholly inside the viewport. */
const firstTimeInView = () => {
  const b = document.querySelector("#times-title + .slots .slot");
  if (!b) return false;
  const r = b.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight;
};

/** Taps the second day that has times; its first time must come into view by itself. */
async function tapDayAndSee(page, label) {
  const days = await page.$$eval("button.day:not([disabled])", (bs) => bs.map((b) => b.dataset.day));
  check(days.length >= 2, `${label}: two days with times: ${days}`);
  const before = await page.evaluate(() => document.querySelector("#times-title + .slots .slot").getBoundingClientRect().bottom);
  check(before > 740, `${label}: the first time is not wholly on the screen before the tap (bottom y = ${before})`);
  const scrolled = await page.evaluate(() => window.scrollY);
  await page.locator(`button.day[data-day="${days[1]}"]`).click();
  await page.locator(`button.day[data-day="${days[1]}"][aria-pressed="true"]`).waitFor();
  await page.waitForFunction(firstTimeInView, null, { timeout: 3000 }).catch(async () => {
    const y = await page.evaluate(() => document.querySelector("#times-title + .slots .slot").getBoundingClientRect().top);
    throw new Error(`${label}: the first time of ${days[1]} is not in view after the tap (y = ${y})`);
  });
  check((await page.evaluate(() => window.scrollY)) > scrolled, `${label}: the page scrolled`);
}

async function phone() {
  const { page } = await visitor({ timezoneId: "Europe/Berlin", locale: "en-GB", width: 360, height: 740 });
  await ready(page);
  await tapDayAndSee(page, "booking page");
  assertClean(page, "phone");

  // The manage page's picker: a booking made through the API, then "Move to another time".
  const start = await page.locator("button.slot").first().getAttribute("data-start");
  const made = await fetch(`${BASE_URL}/api/v1/bookings`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ event_type: "intro", start, name: "Pat Phone", email: "pat@example.org", timezone: "Europe/Berlin" }),
  });
  check(made.status === 201, `booked through the API: ${made.status}`);
  const booking = await made.json();
  const manage = new URL(booking.manage_url, BASE_URL);
  await open(page, manage.pathname + manage.search);
  await page.getByRole("button", { name: "Move to another time" }).click();
  await page.locator(".grid[aria-busy='false']").waitFor();
  await page.locator("button.slot").first().waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await tapDayAndSee(page, "manage page");
  assertClean(page, "phone, manage page");
}

async function zones() {
  // Chromium reports the old name; the page shows the current one.
  const { page } = await visitor({ timezoneId: "Asia/Calcutta", locale: "en-US" });
  await ready(page);
  await page.getByText("Times are shown in Asia/Kolkata").waitFor();
  const starts = await page.$$eval("button.slot[data-start]", (bs) => bs.map((b) => b.dataset.start));
  check(starts.every((s) => s.endsWith("+05:30")), `times in Kolkata: ${starts[0]}`);

  const field = page.getByRole("combobox", { name: "Time zone" });
  // The field opens with the zone, all of it selected: typing replaces it.
  const openField = async (zone) => {
    await page.getByRole("button", { name: "Change time zone" }).click();
    await field.waitFor();
    const selected = (zone) => {
      const i = document.getElementById("zone-input");
      return i && document.activeElement === i && i.value === zone && i.selectionStart === 0 && i.selectionEnd === i.value.length;
    };
    await page.waitForFunction(selected, zone, { timeout: 3000 }).catch(async () => {
      const state = await field.evaluate((i) => ({ value: i.value, start: i.selectionStart, end: i.selectionEnd, focused: document.activeElement === i }));
      throw new Error(`the field's text is not selected when it opens: ${JSON.stringify(state)}`);
    });
  };
  await openField("Asia/Kolkata");
  await page.keyboard.type("Kolkata");
  const kolkata = page.locator('#zone-options [role="option"][data-zone="Asia/Kolkata"]');
  await kolkata.waitFor();
  // The countries come with zones.txt, fetched when the field opens: the option gains its
  // country when it arrives.
  const placed = /^Kolkata \(India\) — GMT\+5:30 — \d{1,2}:\d{2}/;
  await page.waitForFunction((re) => new RegExp(re).test(
    document.querySelector('#zone-options [role="option"][data-zone="Asia/Kolkata"]')?.textContent || ""),
  placed.source, { timeout: 5000 }).catch(() => {});
  const text = await kolkata.textContent();
  check(placed.test(text), `the option reads like a place with its offset and clock: ${text}`);
  check((await field.getAttribute("aria-expanded")) === "true", "the combobox says its list is open");
  await axe(page, "time zone list");
  // Escape closes the list, a second Escape the field.
  await page.keyboard.press("Escape");
  check((await field.getAttribute("aria-expanded")) === "false", "Escape closes the list");

  // A city by name and Enter.
  await field.fill("");
  await page.keyboard.type("Tokyo");
  await page.locator('#zone-options [data-zone="Asia/Tokyo"]').waitFor();
  await page.keyboard.press("Enter");
  await page.getByText("Times are shown in Asia/Tokyo").waitFor();
  await page.locator("button.slot[data-start$='+09:00']").first().waitFor();
  const tokyo = await page.$$eval("button.slot[data-start]", (bs) => bs.map((b) => b.dataset.start));
  check(tokyo.length > 0 && tokyo.every((s) => s.endsWith("+09:00")), `times in Tokyo: ${tokyo[0]}`);

  // An old name, by keyboard: arrows to the option, Enter.
  await openField("Asia/Tokyo");
  await page.keyboard.type("Kiev");
  await page.locator('#zone-options [data-zone="Europe/Kyiv"]').waitFor();
  await page.keyboard.press("ArrowDown");
  const active = await field.getAttribute("aria-activedescendant");
  check(active && (await page.locator(`#${active}`).getAttribute("data-zone")) === "Europe/Kyiv", `the arrow marks Kyiv: ${active}`);
  await page.keyboard.press("Enter");
  await page.getByText("Times are shown in Europe/Kyiv").waitFor();

  // A country name finds its zones.
  await openField("Europe/Kyiv");
  await page.keyboard.type("Japan");
  await page.locator('#zone-options [data-zone="Asia/Tokyo"]').click();
  await page.getByText("Times are shown in Asia/Tokyo").waitFor();
  assertClean(page, "zones");
}

async function kept() {
  const { page } = await visitor({ timezoneId: "Europe/Berlin", locale: "en-GB" });
  page.expectedStatuses.add(409);
  await ready(page);
  const slot = page.locator("button.slot").first();
  const start = await slot.getAttribute("data-start");
  await slot.click();
  await page.getByRole("heading", { name: "Your details" }).waitFor();
  await page.getByLabel("Name").fill("Kim Kept");
  await page.getByLabel("Email").fill("kim@example.org");
  await page.getByLabel(/Anything to share/).fill("About the roof");
  await page.getByRole("button", { name: "Back to the times" }).click();
  await page.locator("button.slot").first().click();
  await page.getByRole("heading", { name: "Your details" }).waitFor();
  check((await page.getByLabel("Name").inputValue()) === "Kim Kept", "the name survives Back to the times");
  check((await page.getByLabel(/Anything to share/).inputValue()) === "About the roof", "the notes too");

  // Someone else takes the time; the visitor picks an offered one and finds the form filled.
  const taken = await fetch(`${BASE_URL}/api/v1/bookings`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ event_type: "intro", start, name: "Quick Visitor", email: "quick@example.org", timezone: "Europe/Berlin" }),
  });
  check(taken.status === 201, `the other visitor booked first: ${taken.status}`);
  await page.getByRole("button", { name: "Book this time" }).click();
  await page.getByText("Sorry, someone booked that time a moment ago.").waitFor();
  await page.locator(".notice button.slot").first().click();
  await page.getByRole("heading", { name: "Your details" }).waitFor();
  check((await page.getByLabel("Name").inputValue()) === "Kim Kept", "the name survives just taken");
  check((await page.getByLabel("Email").inputValue()) === "kim@example.org", "the email survives just taken");
  assertClean(page, "kept");
}

/** The service stops answering while the browser is online: the page says the service, not the network. */
async function serviceDown() {
  const { page } = await visitor({ timezoneId: "Europe/Berlin", locale: "en-GB" });
  await ready(page);
  await page.route("**/api/v1/slots**", (route) => route.abort("connectionrefused"));
  await page.locator(".month-nav").getByRole("button", { name: "Next month" }).click();
  await page.getByText("The booking service is not answering right now; try again in a minute.").waitFor();
  check((await page.getByText(/offline/i).count()) === 0, "the visitor is not told they are offline");
  // The refused requests are the point of this step; nothing else may have failed.
  const other = page.errors.filter((e) => !/api\/v1\/slots|ERR_CONNECTION_REFUSED/.test(e));
  check(other.length === 0, `only the refused requests failed: ${other.join("; ")}`);
}

/** axe on the page as it is: no violation of any impact. */
async function noViolations(page, label) {
  const found = await axe(page, label);
  check(found.length === 0, `${label}: axe found ${JSON.stringify(found, null, 2)}`);
}

/**
 * The owner's accent is #f5c400 (1.5:1 under white text): the page derives readable colours,
 * so axe finds no violation at all on any visitor step (times, form, confirmation, manage
 * page, moving, cancelling), light and dark. The month: today is marked, hovering a day does
 * not look like choosing it.
 */
async function accentAndMonth() {
  for (const colorScheme of ["light", "dark"]) {
    const { page } = await visitor({ timezoneId: "Europe/Berlin", locale: "en-GB", colorScheme });
    const step = (name) => noViolations(page, `${name}, accent #f5c400, ${colorScheme}`);
    await ready(page);
    const onAccent = await page.locator(".frame").evaluate((f) => getComputedStyle(f).getPropertyValue("--on-accent").trim());
    check(onAccent === "#000000", `black text on the yellow accent: ${onAccent}`);
    await step("booking page");
    await page.locator("button.slot").first().click();
    await page.getByRole("heading", { name: "Your details" }).waitFor();
    await step("form");
    await page.getByLabel("Name").fill("Alex Accent");
    await page.getByLabel("Email").fill("alex@example.org");
    await page.getByRole("button", { name: "Book this time" }).click();
    await page.getByRole("heading", { name: "You are booked" }).waitFor();
    await step("confirmation");
    await page.getByRole("link", { name: "Manage this booking" }).click();
    await page.getByRole("heading", { name: "Your booking" }).waitFor();
    await page.getByRole("button", { name: "Move to another time" }).waitFor();
    await step("manage page");
    await page.getByRole("button", { name: "Move to another time" }).click();
    await page.locator("button.slot").first().waitFor();
    await step("moving");
    await page.getByRole("button", { name: "Keep the current time" }).click();
    await page.getByRole("button", { name: "Cancel the booking" }).click();
    await page.getByRole("button", { name: "Yes, cancel it" }).waitFor();
    await step("cancel question");
    await page.getByRole("button", { name: "Yes, cancel it" }).click();
    await page.getByText("This booking is cancelled.").first().waitFor();
    await step("cancelled");
    assertClean(page, `accent ${colorScheme}`);
  }

  const { page } = await visitor({ timezoneId: "Europe/Berlin", locale: "en-GB" });
  await ready(page);
  const today = await page.evaluate(() => new Date().toLocaleDateString("sv-SE", { timeZone: "Europe/Berlin" }));
  const marked = await page.$$eval('button.day[aria-current="date"]', (bs) => bs.map((b) => b.dataset.day));
  check(marked.length === 1 && marked[0] === today, `today (${today}) is marked: ${marked}`);
  const chosen = await page.$eval('button.day[aria-pressed="true"]', (b) => b.dataset.day);
  const enabled = await page.$$eval("button.day:not([disabled])", (bs) => bs.map((b) => b.dataset.day));
  // Hovering another day does not give it the chosen day's look.
  const other = enabled.find((d) => d !== chosen);
  await page.locator(`button.day[data-day="${other}"]`).hover();
  const look = (d) => page.locator(`button.day[data-day="${d}"]`).evaluate((b) => getComputedStyle(b).backgroundColor);
  check((await look(other)) !== (await look(chosen)), "a hovered day does not look chosen");
  assertClean(page, "month");
}

await run("visitor", async () => {
  await accentAndMonth();
  await serviceDown();
  await phone();
  await zones();
  await kept();
  output({ ok: true });
});
