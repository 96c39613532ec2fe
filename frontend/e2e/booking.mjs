// The visitor's booking flow in real Chromium (run by backend/tests/e2e/booking.rs).
//
// PHASE=book:  a visitor in Asia/Tokyo books the owner (Europe/Berlin): the confirmation shows
//              Tokyo and Berlin times; a second visitor no longer sees that slot; axe finds no
//              serious violation on the page and the confirmation. Writes {id, start, end,
//              manage_path} to OUT; the Rust side then finds the event in Radicale.
// PHASE=after: MANAGE_PATH and START from the first phase: the manage link moves the booking
//              (the page shows the new time), then cancels it; both times are offered again; offline while booking says so and keeps the form; a slot taken a moment
//              ago shows the "just taken" path with the next free times; a keyboard-only visitor
//              books; screenshots at 390x844; no sideways scrolling at 390 and 320 px.

import crypto from "node:crypto";
import fs from "node:fs";
import { BASE_URL, assertClean, axe, check, open, output, run, screenshot, tabTo, visitor } from "./lib.mjs";

const PHASE = process.env.PHASE || "book";

/** The instants (ms) of the slot buttons on the page. */
async function shownInstants(page) {
  return page.$$eval("button.slot[data-start]", (bs) => bs.map((b) => new Date(b.dataset.start).getTime()));
}

/** Chooses the event type "Intro call" when the page asks. */
async function chooseIntro(page) {
  const type = page.getByRole("button", { name: /Intro call/ });
  if (await type.count()) await type.first().click();
  await page.getByRole("heading", { level: 1, name: "Intro call" }).waitFor();
}

/** Waits for the slot list of the chosen day (never the loading text). */
async function waitForSlots(page) {
  await page.locator("button.slot").first().waitFor({ timeout: 15000 });
}

/** Shows the next month and waits until its days are loaded. */
async function nextMonth(page) {
  const before = await page.locator("#month-title").getAttribute("data-month");
  // By place, not by name: the name is in the visitor's language.
  await page.locator(".month-nav button.icon").last().click();
  await page.locator(`#month-title:not([data-month="${before}"])`).waitFor();
  await page.locator(".grid[aria-busy='false']").waitFor();
}

/**
 * The same wall-clock time `days` later in `zone` (a week later is not 7 x 24 hours across a
 * clock change), as an ISO instant.
 */
function sameClockDaysLater(iso, days, zone) {
  const local = (ms) => new Date(ms).toLocaleString("sv-SE", { timeZone: zone }).replace(" ", "T");
  const [date, clock] = [local(Date.parse(iso)).slice(0, 10), local(Date.parse(iso)).slice(10)];
  const wanted = new Date(Date.parse(`${date}T00:00:00Z`) + days * 864e5).toISOString().slice(0, 10) + clock;
  for (const shift of [0, -36e5, 36e5]) {
    const at = Date.parse(iso) + days * 864e5 + shift;
    if (local(at) === wanted) return new Date(at).toISOString();
  }
  throw new Error(`no ${wanted} in ${zone}`);
}

/**
 * Goes month by month until the day of `isoStart` (its civil date, as the page's zone writes
 * it) is shown, and chooses that day. The page's month and days are found by their ISO dates
 * (data-month, data-day), never by their names: those are in the visitor's language.
 */
async function openDayOf(page, isoStart) {
  const day = isoStart.slice(0, 10);
  const month = day.slice(0, 7);
  for (let i = 0; i < 4; i++) {
    await page.locator(".grid[aria-busy='false']").waitFor();
    const shown = await page.locator("#month-title").getAttribute("data-month");
    if (shown === month) {
      const button = page.locator(`button.day[data-day="${day}"]`);
      if (await button.isEnabled()) await button.click();
      return;
    }
    check(shown < month, `the page shows ${shown}, which is after the month of ${day}`);
    await nextMonth(page);
  }
  throw new Error(`the month of ${day} was not reached`);
}

async function fillForm(page, name, email, notes = "") {
  // By id, not by label: the labels are in the visitor's language.
  await page.locator("#name").fill(name);
  await page.locator("#email").fill(email);
  if (notes) await page.getByLabel(/Anything to share/).fill(notes);
}

/** The ALTCHA proof of work, solved here (for the booking made behind a visitor's back). */
async function captchaPayload() {
  const c = await (await fetch(`${BASE_URL}/api/v1/captcha`)).json();
  for (let n = 0; n <= c.maxnumber; n++) {
    if (crypto.createHash("sha256").update(c.salt + n).digest("hex") === c.challenge) {
      const p = { algorithm: c.algorithm, challenge: c.challenge, number: n, salt: c.salt, signature: c.signature };
      return Buffer.from(JSON.stringify(p)).toString("base64");
    }
  }
  throw new Error("captcha without a solution");
}

async function book() {
  // The visitor in Tokyo.
  const { page } = await visitor({ timezoneId: "Asia/Tokyo", locale: "en-US" });
  await open(page, "/");
  await page.getByRole("heading", { name: "What would you like to book?" }).waitFor();
  await axe(page, "event type choice");
  await chooseIntro(page);
  await page.getByText("Times are shown in Asia/Tokyo").waitFor();
  await waitForSlots(page);
  await axe(page, "booking page");
  await screenshot(page, "booking-1280x800");
  // Arrow keys walk the month's days that have times.
  const days = await page.locator(".grid button.day:not([disabled])").evaluateAll((b) => b.map((e) => e.dataset.day));
  check(days.length >= 2, `days with times this month: ${days}`);
  const focused = () => page.evaluate(() => document.activeElement.dataset.day);
  await page.locator(`.grid button.day[data-day="${days[0]}"]`).focus();
  await page.keyboard.press("ArrowRight");
  check(await focused() === days[1], `ArrowRight goes to the next day with times: ${await focused()} vs ${days[1]}`);
  await page.keyboard.press("ArrowLeft");
  check(await focused() === days[0], `ArrowLeft comes back: ${await focused()}`);
  await page.keyboard.press("ArrowLeft");
  check(await focused() === days[0], "the first day with times stays when there is none before it");

  const first = page.locator("button.slot").first();
  const start = await first.getAttribute("data-start");
  check(start.endsWith("+09:00"), `slots are in Tokyo time: ${start}`);
  await first.click();
  await page.getByRole("heading", { name: "Your details" }).waitFor();
  // Checked as typed, with the API's rules.
  await page.getByLabel("Email").fill("not an address");
  await page.getByLabel("Email").blur();
  await page.getByText(/Email is not an email address/).waitFor();
  await fillForm(page, "Yuki <b>Tanaka</b>", "yuki@example.jp", "Line one\nLine two; with, commas");
  const answer = page.waitForResponse((r) => r.url().endsWith("/api/v1/bookings") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Book this time" }).click();
  const response = await answer;
  check(response.status() === 201, `booked: ${response.status()}`);
  const booking = await response.json();
  await page.getByRole("heading", { name: "You are booked" }).waitFor();
  check(booking.start === start, `the booking is at the chosen slot: ${booking.start} vs ${start}`);
  check(booking.timezone === "Asia/Tokyo", `the booking keeps the visitor's zone: ${booking.timezone}`);

  // The confirmation shows Tokyo's and Berlin's clock for the same instant.
  const instant = new Date(booking.start);
  const fmt = (timeZone) =>
    new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "2-digit", timeZone }).format(instant);
  const yours = await page.locator(".when-visitor").innerText();
  const owners = await page.locator(".when-owner").innerText();
  check(yours.includes(fmt("Asia/Tokyo")) && yours.includes("Asia/Tokyo"), `visitor time: ${yours}`);
  check(owners.includes(fmt("Europe/Berlin")) && owners.includes("Europe/Berlin"), `owner time: ${owners}`);
  check(await page.getByText("Yuki <b>Tanaka</b>").count() === 1, "the name is shown as text, not markup");
  check(await page.locator("b", { hasText: "Tanaka" }).count() === 0, "no markup from the visitor");
  const ics = await page.getByRole("link", { name: "Download .ics" }).getAttribute("href");
  check(ics.startsWith("blob:"), "the .ics is made in the page");
  // The booking's one UID: the mail, the owner's calendar and the feed carry the same, so an
  // import of the invitation updates this event instead of adding a second.
  // Read as a download: the page's Content-Security-Policy (connect-src, nginx's too) keeps
  // a fetch() of the blob out, as it should.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download .ics" }).click(),
  ]);
  const icsText = fs.readFileSync(await download.path(), "utf8");
  check(icsText.includes(`\r\nUID:${booking.id}@openslot\r\n`), `the .ics has the booking's UID: ${icsText}`);
  const unfolded = icsText.replace(/\r\n /g, "");
  check(unfolded.includes(`\r\nURL:${booking.manage_url}\r\n`), `the .ics carries the manage link: ${unfolded}`);
  // No [mail] here: the page says the link is not mailed, and copies it.
  await page.getByText("No e-mail will be sent about this booking").waitFor();
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE_URL });
  await page.getByRole("button", { name: "Copy the link" }).click();
  await page.getByText("The link is copied.").first().waitFor();
  check(await page.evaluate(() => navigator.clipboard.readText()) === booking.manage_url, "the manage link is on the clipboard");
  const google = await page.getByRole("link", { name: "Google Calendar" }).getAttribute("href");
  const stamp = instant.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  check(google.includes(stamp), `the Google link has the UTC start ${stamp}: ${google}`);
  await axe(page, "confirmation");
  await screenshot(page, "confirmation-1280x800");
  const managePath = await page.getByRole("link", { name: "Manage this booking" }).getAttribute("href");
  assertClean(page, "booking");

  // A second visitor, in Berlin: that instant is no longer offered.
  const second = await visitor({ timezoneId: "Europe/Berlin", locale: "de-DE" });
  await open(second.page, "/?type=intro");
  // The page in the visitor's language.
  await second.page.getByText("Zeiten in der Zeitzone Europe/Berlin").waitFor();
  const berlinStart = new Date(booking.start).toLocaleString("sv-SE", { timeZone: "Europe/Berlin" }).slice(0, 10);
  await openDayOf(second.page, berlinStart);
  await second.page.locator(".times h2, .times p").first().waitFor();
  const offered = await shownInstants(second.page);
  check(!offered.includes(instant.getTime()), "the booked slot is gone for the next visitor");
  assertClean(second.page, "second visitor");

  output({ id: booking.id, start: booking.start, end: booking.end, manage_path: managePath });
}

async function after() {
  const managePath = process.env.MANAGE_PATH;
  const start = process.env.START;
  check(managePath && start, "MANAGE_PATH and START are set");
  const instant = new Date(start).getTime();

  // Move the booking through the webhook's `reschedule_url` (the manage link with
  // action=reschedule: the times at once), then cancel it through `cancel_url`.
  const { page } = await visitor({ timezoneId: "Asia/Tokyo" });
  await open(page, `${managePath}&action=reschedule`);
  await page.getByRole("heading", { name: "Your booking" }).waitFor();
  await page.getByText("Yuki <b>Tanaka</b>").waitFor();
  const before = await page.locator(".when-visitor").innerText();
  await page.getByRole("heading", { name: "Pick the new time" }).waitFor();
  await waitForSlots(page);
  const target = page.locator("button.slot").nth(1);
  const movedStart = await target.getAttribute("data-start");
  check(new Date(movedStart).getTime() !== instant, "another time is chosen");
  await target.click();
  await page.getByRole("button", { name: "Yes, move it" }).click();
  const note = page.locator("p.notice.done");
  await note.waitFor();
  const moved = await page.locator(".when-visitor").innerText();
  check(moved !== before, `the manage page shows the new time: ${before} -> ${moved}`);
  const clock = new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "2-digit", timeZone: "Asia/Tokyo" })
    .format(new Date(movedStart));
  check(moved.includes(clock), `the new time ${clock} in ${moved}`);
  const said = await note.innerText();
  check(said.startsWith("The booking is moved to") && said.includes(clock), `the move is said on screen: ${said}`);
  // New add-to-calendar links, at the new time.
  const movedStamp = new Date(movedStart).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const google = await page.getByRole("link", { name: "Google Calendar" }).getAttribute("href");
  check(google.includes(movedStamp), `the Google link has the new start ${movedStamp}: ${google}`);
  await axe(page, "moved booking");
  await open(page, `${managePath}&action=cancel`);
  await page.getByText("Cancel this booking? This cannot be undone.").waitFor();
  await page.getByRole("button", { name: "Yes, cancel it" }).click();
  await page.getByText("This booking is cancelled.").waitFor();
  assertClean(page, "reschedule and cancel");

  // Both times are free again: the first one when the booking moved, the second when it was cancelled.
  const again = await visitor({ timezoneId: "Asia/Tokyo" });
  await open(again.page, "/?type=intro");
  await openDayOf(again.page, start);
  await waitForSlots(again.page);
  check((await shownInstants(again.page)).includes(instant), "the first time is offered again");
  await openDayOf(again.page, movedStart);
  await waitForSlots(again.page);
  check((await shownInstants(again.page)).includes(new Date(movedStart).getTime()), "the cancelled time is offered again");
  assertClean(again.page, "after cancel");

  // The network goes away while the visitor books: a human message, the form kept, and the
  // booking goes through once the network is back.
  const offline = await visitor({ timezoneId: "Asia/Tokyo" });
  await open(offline.page, "/?type=intro");
  await waitForSlots(offline.page);
  await offline.page.locator("button.slot").first().click();
  await fillForm(offline.page, "Off Line", "off@example.org");
  offline.page.offlineOnPurpose = true;
  await offline.context.setOffline(true);
  await offline.page.getByRole("button", { name: "Book this time" }).click();
  await offline.page.getByText(/You seem to be offline. Nothing was booked/).waitFor();
  check((await offline.page.getByLabel("Name").inputValue()) === "Off Line", "the form is kept");
  await offline.context.setOffline(false);
  await offline.page.getByRole("button", { name: "Book this time" }).click();
  await offline.page.getByRole("heading", { name: "You are booked" }).waitFor({ timeout: 30000 });
  assertClean(offline.page, "offline");

  // Someone takes the slot while this visitor fills the form.
  const late = await visitor({ timezoneId: "Europe/Berlin", locale: "en-GB" });
  late.page.expectedStatuses.add(409);
  await open(late.page, "/?type=intro");
  await waitForSlots(late.page);
  const wanted = late.page.locator("button.slot").first();
  const wantedStart = await wanted.getAttribute("data-start");
  await wanted.click();
  await fillForm(late.page, "Late Visitor", "late@example.org");
  const taken = await fetch(`${BASE_URL}/api/v1/bookings`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      event_type: "intro", start: wantedStart, name: "Quick Visitor", email: "quick@example.org",
      timezone: "Europe/Berlin", captcha: await captchaPayload(),
    }),
  });
  check(taken.status === 201, `the other visitor booked first: ${taken.status}`);
  await late.page.getByRole("button", { name: "Book this time" }).click();
  await late.page.getByText("Sorry, someone booked that time a moment ago.").waitFor();
  const next = await shownInstants(late.page);
  check(next.length > 0, "the next free times are offered");
  check(!next.includes(new Date(wantedStart).getTime()), "the taken time is not among them");
  await late.page.locator(".notice button.slot").first().click();
  await late.page.getByRole("heading", { name: "Your details" }).waitFor();
  check((await late.page.getByLabel("Name").inputValue()) === "Late Visitor", "what was typed is kept for the new time");
  assertClean(late.page, "just taken");

  // Keyboard only: choose the type, the time, fill the form, book.
  const keys = await visitor({ timezoneId: "Europe/London", locale: "en-GB" });
  await open(keys.page, "/");
  await keys.page.getByRole("heading", { name: "What would you like to book?" }).waitFor();
  await tabTo(keys.page, "button.type");
  await keys.page.keyboard.press("Enter");
  await waitForSlots(keys.page);
  await tabTo(keys.page, "button.slot");
  await keys.page.keyboard.press("Enter");
  await keys.page.getByRole("heading", { name: "Your details" }).waitFor();
  check(await keys.page.evaluate(() => document.activeElement.id === "step-title"), "focus moves to the form's heading");
  await tabTo(keys.page, "#name");
  await keys.page.keyboard.type("Kay Board");
  await tabTo(keys.page, "#email");
  await keys.page.keyboard.type("kay@example.org");
  await tabTo(keys.page, "button[type=submit]");
  await keys.page.keyboard.press("Enter");
  await keys.page.getByRole("heading", { name: "You are booked" }).waitFor({ timeout: 30000 });
  check(await keys.page.evaluate(() => document.activeElement.id === "step-title"), "focus moves to the confirmation");
  assertClean(keys.page, "keyboard only");

  // The phone layout.
  const phone = await visitor({ timezoneId: "America/New_York", width: 390, height: 844, colorScheme: "dark" });
  await open(phone.page, "/?type=intro");
  await waitForSlots(phone.page);
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `no sideways scrolling at 390 px (${overflow} px too wide)`);
  await axe(phone.page, "booking page at 390x844, dark");
  await screenshot(phone.page, "booking-390x844");
  const narrow = await visitor({ width: 320, height: 640 });
  await open(narrow.page, "/?type=intro");
  await waitForSlots(narrow.page);
  const tooWide = await narrow.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(tooWide <= 0, `no sideways scrolling at 320 px (${tooWide} px too wide)`);
  assertClean(phone.page, "phone");
  output({ taken: wantedStart });
}

// PHASE=limits: against a service that allows one booking request a minute: the second booking
// attempt tells the visitor to wait, with the seconds the server gave, and keeps the form.
async function limits() {
  const { page } = await visitor({ timezoneId: "Europe/Berlin", locale: "en-GB" });
  page.expectedStatuses.add(429);
  await open(page, "/?type=intro");
  await waitForSlots(page);
  await page.locator("button.slot").first().click();
  await fillForm(page, "First Try", "first@example.org");
  await page.getByRole("button", { name: "Book this time" }).click();
  await page.getByRole("heading", { name: "You are booked" }).waitFor();
  await page.getByRole("button", { name: "Book another time" }).click();
  await waitForSlots(page);
  await page.locator("button.slot").first().click();
  await fillForm(page, "Second Try", "second@example.org");
  await page.getByRole("button", { name: "Book this time" }).click();
  await page.locator("#form-problem", { hasText: /Too many attempts from your network. Please wait \d+ seconds/ }).waitFor();
  check((await page.getByLabel("Name").inputValue()) === "Second Try", "the form is kept");
  assertClean(page, "rate limited");
}

// PHASE=switched: the owner switches the captcha in the dashboard (PUT /admin/api/security on
// ADMIN; the file leaves it unset) while a visitor's form is open. Switched off: the form loaded
// while it was on books without the proof of work. Switched on: a form loaded while it was off
// is refused once, solves the proof of work and books.
async function switched() {
  const admin = process.env.ADMIN;
  const json = { "Content-Type": "application/json" };
  const login = await fetch(`${admin}/admin/api/login`, {
    method: "POST", headers: json, body: JSON.stringify({ password: process.env.PASSWORD }),
  });
  check(login.status === 200, `login: ${login.status}`);
  const { token } = await login.json();
  const captcha = async (on) => {
    const r = await fetch(`${admin}/admin/api/security`, {
      method: "PUT", headers: { ...json, Authorization: `Bearer ${token}` }, body: JSON.stringify({ captcha: on }),
    });
    check(r.status === 200, `captcha ${on}: ${r.status}`);
  };
  const { page } = await visitor({ timezoneId: "Europe/Berlin", locale: "en-GB" });
  page.expectedStatuses.add(400);
  page.expectedStatuses.add(404);
  const sent = [];
  page.on("request", (r) => {
    if (r.url().endsWith("/api/v1/bookings") && r.method() === "POST") sent.push(JSON.parse(r.postData()).captcha ?? null);
  });
  await open(page, "/?type=intro");
  await waitForSlots(page);
  await page.locator("button.slot").first().click();
  await fillForm(page, "Open Before", "before@example.org");
  await captcha(false);
  await page.getByRole("button", { name: "Book this time" }).click();
  await page.getByRole("heading", { name: "You are booked" }).waitFor();
  check(sent.length === 1 && sent[0] === null, `booked without the proof of work: ${sent.length}`);

  await open(page, "/?type=intro");
  await waitForSlots(page);
  await page.locator("button.slot").first().click();
  await fillForm(page, "Open After", "after@example.org");
  await captcha(true);
  sent.length = 0;
  await page.getByRole("button", { name: "Book this time" }).click();
  await page.getByRole("heading", { name: "You are booked" }).waitFor();
  check(sent.length === 2 && sent[0] === null && typeof sent[1] === "string",
    `refused once, then booked with the proof of work: ${sent.map((c) => c === null ? "none" : "solved")}`);
  assertClean(page, "captcha switched");
}

// PHASE=series: a visitor books "Consultation" (repeats weekly or every 2 weeks): a weekly
//              series whose second session was taken a moment ago is refused whole and the page
//              names that session; every two weeks books three sessions, listed on the
//              confirmation; the manage page cancels this and the later sessions.
async function series() {
  const { page } = await visitor({ timezoneId: "Europe/Berlin", locale: "en-GB" });
  await open(page, "/?type=consult&ref=newsletter");
  await page.getByRole("heading", { level: 1, name: "Consultation" }).waitFor();
  await page.getByText("Video call (the link comes with your booking)").waitFor();
  await waitForSlots(page);
  const first = page.locator("button.slot").first();
  const start = await first.getAttribute("data-start");
  await first.click();
  await page.getByRole("heading", { name: "Your details" }).waitFor();
  await fillForm(page, "Sam Series", "sam@example.org");
  await page.getByLabel("Company (optional)").fill("ACME <i>Ltd</i>");
  // The required question is checked in the page, before anything is sent.
  await page.getByRole("button", { name: "Book this time" }).click();
  await page.getByText("Topic is required").waitFor();
  check(await page.evaluate(() => document.activeElement.id) === "q-topic", "focus goes to the question");
  await page.getByLabel("Topic").selectOption("Review");

  // Someone else takes the time a week later (the same time on the owner's clock), behind the
  // visitor's back.
  const weekLater = sameClockDaysLater(start, 7, "Europe/Berlin");
  const taken = await fetch(`${BASE_URL}/api/v1/bookings`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      event_type: "consult", start: weekLater, name: "Other", email: "other@example.org",
      timezone: "Europe/Berlin", captcha: await captchaPayload(), answers: { topic: "Coaching" },
    }),
  });
  check(taken.status === 201, `the other booking: ${taken.status}`);

  await page.getByRole("radio", { name: "Every week" }).check();
  await page.getByLabel("Number of sessions").selectOption("3");
  page.expectedStatuses.add(409);
  const refused = page.waitForResponse((r) => r.url().endsWith("/api/v1/bookings") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Book this time" }).click();
  check((await refused).status() === 409, "the weekly series is refused");
  const alert = page.getByRole("alert").filter({ hasText: "Nothing was booked" });
  await alert.waitFor();
  const said = await alert.innerText();
  check(said.includes("session 2") && said.includes("already taken"), `the page names the session: ${said}`);
  page.expectedStatuses.delete(409);

  await page.getByRole("radio", { name: "Every 2 weeks" }).check();
  const answer = page.waitForResponse((r) => r.url().endsWith("/api/v1/bookings") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Book this time" }).click();
  const response = await answer;
  check(response.status() === 201, `the series is booked: ${response.status()}`);
  const sent = JSON.parse(response.request().postData());
  check(sent.ref === "newsletter", `the page passes its ref: ${sent.ref}`);
  check(sent.answers.topic === "Review" && sent.answers.company === "ACME <i>Ltd</i>", JSON.stringify(sent.answers));
  const booking = await response.json();
  check(booking.series && booking.series.sessions.length === 3, "three sessions");
  check(booking.series.frequency === "every_2_weeks", booking.series.frequency);
  await page.getByRole("heading", { name: "You are booked" }).waitFor();
  const join = await page.getByRole("link", { name: "Join the video call" }).getAttribute("href");
  check(join === `https://meet.example.org/openslot-${booking.id}`, `the booking's own video link: ${join}`);
  for (const name of ["Google Calendar", "Outlook.com"]) {
    const link = new URL(await page.getByRole("link", { name }).getAttribute("href"));
    const where = link.searchParams.get("location");
    const text = link.searchParams.get("details") || link.searchParams.get("body");
    check(where === join && text.includes(join), `${name} keeps the video link: ${link}`);
  }
  await page.getByText("ACME <i>Ltd</i>").waitFor();
  check(await page.locator("dd.answer i").count() === 0, "an answer is shown as text");
  const listed = await page.locator("ol.sessions li").count();
  check(listed === 3, `the confirmation lists the sessions: ${listed}`);
  await axe(page, "series confirmation");
  await screenshot(page, "series-confirmation");

  await page.getByRole("link", { name: "Manage this booking" }).click();
  await page.getByRole("heading", { name: "Your booking" }).waitFor();
  await page.getByRole("button", { name: "Cancel this and all later sessions" }).click();
  await page.getByText("Cancel this session and every later one").waitFor();
  await page.getByRole("button", { name: "Yes, cancel it" }).click();
  await page.getByText("This booking is cancelled.").waitFor();
  const cancelled = await page.locator("ol.sessions li.cancelled").count();
  check(cancelled === 3, `every session shows cancelled: ${cancelled}`);
  check(await page.getByRole("link", { name: "Join the video call" }).count() === 0, "no join link once cancelled");
  check(await page.getByRole("link", { name: "Google Calendar" }).count() === 0, "nothing to add once cancelled");
  assertClean(page, "series");
  output({ ids: booking.series.sessions.map((s) => s.id) });
}

// PHASE=dates: run with the service's and the browser's clocks pinned to CLOCK_START (the Rust
//              side sweeps month ends, 31 December, 29 February and the clock changes). A
//              visitor in VISITOR_ZONE (German page) sees the month of its own today, slots from
//              the notice on, in the owner's hours (08:00-20:00 Berlin) with the right offset on
//              either side of a clock change; books the first one; a second visitor (Japanese
//              page, Tokyo) no longer sees it and walks month by month to the horizon's last day
//              (across a year's end where there is one), where the last day has times.
//              Writes {now, start, last_day} to OUT.
async function dates() {
  const zone = process.env.VISITOR_ZONE || "America/New_York";
  const horizonDays = Number(process.env.HORIZON_DAYS || "40");
  const now = await pinnedNow();
  const civil = (instant, timeZone) => new Date(instant).toLocaleString("sv-SE", { timeZone }).slice(0, 10);
  const offsetOf = (instant, timeZone) => {
    // "GMT-04:00" -> "-04:00"; "GMT" -> "+00:00"
    const name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" })
      .formatToParts(new Date(instant)).find((p) => p.type === "timeZoneName").value;
    return name === "GMT" ? "+00:00" : name.slice(3);
  };

  const { page } = await visitor({ timezoneId: zone, locale: "de-DE" });
  await open(page, "/?type=intro");
  // Chromium names some zones by their old names (Asia/Kolkata is Asia/Calcutta there).
  await page.getByText("Zeiten in der Zeitzone").first().waitFor();
  check(await page.evaluate(() => Date.now()) >= now - 60000, "the browser's clock is pinned");
  await page.locator(".grid[aria-busy='false']").waitFor();
  const today = civil(now, zone);
  const shownMonth = await page.locator("#month-title").getAttribute("data-month");
  check(shownMonth === today.slice(0, 7), `the page opens on the visitor's month ${today.slice(0, 7)}: ${shownMonth}`);
  if (!(await page.locator("button.day:not([disabled])").count())) {
    // Nothing left in this month (its last evening): the first times are in the next one.
    await nextMonth(page);
  }
  await waitForSlots(page);
  const starts = await page.$$eval("button.slot[data-start]", (bs) => bs.map((b) => b.dataset.start));
  check(starts.length > 0, "times are offered");
  for (const start of starts) {
    const at = new Date(start).getTime();
    check(at >= now + 59 * 60000, `${start} respects the hour of notice from ${new Date(now).toISOString()}`);
    check(start.endsWith(offsetOf(at, zone)), `${start} carries ${zone}'s offset at that instant (${offsetOf(at, zone)})`);
    const berlin = Number(new Date(at).toLocaleString("en-GB", { timeZone: "Europe/Berlin", hour: "2-digit", hourCycle: "h23" }));
    check(berlin >= 8 && berlin < 20, `${start} is within the owner's 08:00-20:00 in Berlin (${berlin} h)`);
  }
  const start = starts[0];
  await page.locator("button.slot").first().click();
  await fillForm(page, "Dora Datum", "dora@example.org");
  const answer = page.waitForResponse((r) => r.url().endsWith("/api/v1/bookings") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Diesen Termin buchen" }).click();
  const response = await answer;
  check(response.status() === 201, `booked: ${response.status()}`);
  await page.getByRole("heading", { name: "Ihr Termin ist gebucht" }).waitFor();
  const clock = new Intl.DateTimeFormat("de-DE", { hour: "numeric", minute: "2-digit", timeZone: zone }).format(new Date(start));
  const yours = await page.locator(".when-visitor").innerText();
  check(yours.includes(clock), `the confirmation shows ${clock} in ${zone}: ${yours}`);
  assertClean(page, "dates: booking");

  // A second visitor, in Tokyo with a Japanese page.
  const second = await visitor({ timezoneId: "Asia/Tokyo", locale: "ja-JP" });
  await open(second.page, "/?type=intro");
  await second.page.getByText("時刻は Asia/Tokyo のタイムゾーンで表示しています").waitFor();
  const tokyoStart = new Date(start).toLocaleString("sv-SE", { timeZone: "Asia/Tokyo" }).slice(0, 10);
  await openDayOf(second.page, tokyoStart);
  await second.page.locator(".times h2, .times p").first().waitFor();
  check(!(await shownInstants(second.page)).includes(new Date(start).getTime()), "the booked time is gone for the next visitor");

  // Month by month to the end of the horizon: the owner's today + horizon - 1, in Berlin; in
  // Tokyo, the evening of that day is already the next day.
  const plusDays = (d, n) => new Date(Date.parse(`${d}T12:00:00Z`) + n * 864e5).toISOString().slice(0, 10);
  const lastDay = plusDays(civil(now, "Europe/Berlin"), horizonDays - 1);
  const lastDays = [lastDay, plusDays(lastDay, 1)];
  const next = second.page.locator(".month-nav button.icon").last();
  for (let i = 0; i < 4 && (await next.isEnabled()); i++) await nextMonth(second.page);
  check(await next.isDisabled(), "the horizon ends the months");
  const lastMonth = await second.page.locator("#month-title").getAttribute("data-month");
  check(lastDays.some((d) => d.startsWith(lastMonth)), `the last month offered holds the horizon's last day ${lastDay}: ${lastMonth}`);
  const enabled = await second.page.$$eval("button.day:not([disabled])", (bs) => bs.map((b) => b.dataset.day));
  check(enabled.length > 0, `the horizon's last month ${lastMonth} has days with times`);
  const last = enabled[enabled.length - 1];
  check(lastDays.includes(last), `the last day with times (${last}) is the horizon's last day (${lastDay} in Berlin)`);
  await second.page.locator(`button.day[data-day="${last}"]`).click();
  await waitForSlots(second.page);
  assertClean(second.page, "dates: second visitor");
  output({ now: new Date(now).toISOString(), start, last_day: last });
}

/** The instant the page's clock shows now (pinned, or the real one). */
async function pinnedNow() {
  const { page } = await visitor();
  const now = await page.evaluate(() => Date.now());
  await page.context().close();
  return now;
}

const PHASES = { book, after, limits, switched, series, dates };
run(`booking (${PHASE})`, PHASES[PHASE]);
