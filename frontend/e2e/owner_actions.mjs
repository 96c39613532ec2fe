// The owner's actions in the dashboard (BASE_URL is the admin listener): each action clears the
// banner of the one before (a block added, then a refused one: the stale "The block is added."
// is gone and the refusal shows in the form), and "Explain a time" answers in a neutral panel,
// not in the success banner, with times in the owner's zone (Europe/Berlin) and the calendar's
// name.
//
// Then the working hours edited with the time pickers (a bad range in plain words; saved), and
// the event type's place (an address) and a required question: a visitor on the booking page
// (PUBLIC) sees both at once, with the page's introduction, accent, the name shown to visitors
// and an uploaded logo set in "Booking page", is held to the question, and the owner sees the
// answer.
//
// Also: PASSWORD; BLOCK_DAY (YYYY-MM-DD, a working day inside the horizon, with the calendar
// SOURCE (its shown name) busy 14:00-15:00 Berlin time).

import { run, visitor, open, check, assertClean, output, axe } from "./lib.mjs";

const password = process.env.PASSWORD;
const day = process.env.BLOCK_DAY;
const sourceName = process.env.SOURCE;
const publicBase = (process.env.PUBLIC || "").replace(/\/$/, "");
check(password && day && sourceName && publicBase, "set PASSWORD, BLOCK_DAY, SOURCE and PUBLIC");

await run("owner actions", async () => {
  const { page } = await visitor({ timezoneId: "Europe/Berlin", width: 1280, height: 800 });
  const section = async (name) => {
    await page.getByRole("navigation", { name: "Dashboard sections" })
      .getByRole("link", { name, exact: true }).click();
    await page.getByRole("heading", { level: 2, name, exact: true }).waitFor();
  };
  const banner = () => page.locator(".admin-status").innerText();

  await open(page, "/admin");
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("Password").press("Enter");
  await page.getByRole("heading", { level: 2, name: "Bookings" }).waitFor();

  // A block added: the banner says so.
  await section("Blocks");
  const form = page.locator("form.block-form");
  await form.getByLabel("Start").fill(`${day}T10:00`);
  await form.getByLabel("End").fill(`${day}T11:00`);
  await form.getByRole("button", { name: "Add", exact: true }).click();
  await page.locator(".admin-status", { hasText: "The block is added." }).waitFor();

  // A refused one: its reason in the form, and the old banner gone.
  page.expectedStatuses.add(422);
  await form.getByLabel("Start").fill(`${day}T12:00`);
  await form.getByLabel("End").fill(`${day}T11:00`);
  await form.getByRole("button", { name: "Add", exact: true }).click();
  await page.waitForFunction(() => {
    const alert = document.querySelector("form.block-form .error");
    return alert && alert.textContent.trim().length > 0;
  });
  page.expectedStatuses.delete(422);
  const stale = await banner();
  check(!stale.includes("The block is added."), `the stale banner stays: ${stale}`);

  // Explain: the verdict in its own panel; the banner does not carry it.
  await section("Explain a time");
  await page.getByLabel("Date and time").fill(`${day}T10:30`);
  await page.getByRole("button", { name: "Explain", exact: true }).click();
  const panel = page.locator(".explanation .card");
  await panel.waitFor();
  const verdict = await panel.locator(".verdict").innerText();
  check(verdict === "Not bookable.", `the verdict: ${verdict}`);
  const after = await banner();
  check(after.trim() === "", `the explanation is not a success banner: "${after}"`);
  const blocked = await panel.locator(".reasons").innerText();
  check(blocked.includes(`blocked by the owner from ${day} 10:00 to 11:00 (Europe/Berlin)`),
    `the block in the owner's zone: ${blocked}`);
  check(!blocked.includes("UTC"), `no UTC time: ${blocked}`);
  // The calendar's busy time: by its name, in the owner's zone.
  await page.getByLabel("Date and time").fill(`${day}T14:30`);
  await page.getByRole("button", { name: "Explain", exact: true }).click();
  await page.locator(".explanation .reasons", { hasText: "busy in" }).waitFor();
  const busy = await panel.locator(".reasons").innerText();
  check(busy.includes(`busy in "${sourceName}" from ${day} 14:00 to 15:00 (Europe/Berlin)`),
    `the calendar by name in the owner's zone: ${busy}`);
  // Working hours with time pickers: a bad range is refused in plain words, then BLOCK_DAY's
  // weekday is set to 13:00-15:00 and saved (the test then reads the public slots).
  await section("Rules");
  const weekday = new Date(`${day}T12:00:00Z`).toLocaleDateString("en-GB", { weekday: "long", timeZone: "UTC" });
  const from = page.getByLabel(`${weekday}, hours 1: from`);
  const to = page.getByLabel(`${weekday}, hours 1: to`);
  await from.fill("17:00");
  await to.fill("09:00");
  await page.getByRole("button", { name: "Save and apply" }).click();
  const plain = `${weekday}: the end (09:00) must be after the start (17:00).`;
  await page.getByText(plain).waitFor();
  check(!(await page.locator(".rules-problems, form").first().innerText()).includes("working_hours"),
    "no configuration key in the message");
  await from.fill("13:00");
  await to.fill("15:00");
  await page.getByRole("button", { name: "Save and apply" }).click();
  await page.locator(".admin-status", { hasText: "The rules are saved and apply now." }).waitFor();
  check(!(await page.getByText(plain).count()), "the old problem is gone");

  // The event type's place and questions, edited here, reach the booking page at once.
  const intro = page.locator("fieldset.event-type", { hasText: "Intro call" });
  await intro.getByLabel("Place").selectOption({ label: "In person" });
  await intro.getByLabel("Link, address or number").fill("Main St 1, Berlin");
  await intro.getByRole("button", { name: "Add a question" }).click();
  const question = intro.getByRole("group", { name: "Question 1" });
  await question.getByLabel("Question", { exact: true }).fill("Your company");
  await question.getByLabel("Required").check();
  await axe(page, "event type details");
  await page.getByRole("button", { name: "Save and apply" }).click();
  await page.locator(".admin-status", { hasText: "The rules are saved and apply now." }).waitFor();

  // The page's introduction and accent colour (the file sets neither).
  await section("Booking page");
  await page.getByLabel("Introduction").fill("Calls in person in Berlin; write if no time fits.");
  await page.getByLabel("Accent colour").fill("#f5c400");
  await page.getByLabel("Name shown to visitors").fill("Dr. Ada Owner");
  // The file sets the zone: shown, read-only.
  const zone = page.getByLabel("Your time zone");
  check(await zone.inputValue() === "Europe/Berlin" && await zone.evaluate((i) => i.readOnly),
    "the file's zone is shown read-only");
  await axe(page, "booking page settings");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.locator(".admin-status", { hasText: "The booking page is updated." }).waitFor();
  // A logo: a script-carrying SVG is refused in plain words; a clean one is shown at once.
  const svg = (body) => ({ name: "logo.svg", mimeType: "image/svg+xml", buffer: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48">${body}</svg>`) });
  page.expectedStatuses.add(422);
  await page.getByLabel("Upload a logo").setInputFiles(svg("<script>alert(1)</script>"));
  await page.locator(".logo-settings .error", { hasText: "scripts" }).waitFor();
  page.expectedStatuses.delete(422);
  await page.getByLabel("Upload a logo").setInputFiles(svg(`<circle cx="24" cy="24" r="20" fill="#0b6e4f"/>`));
  await page.locator(".admin-status", { hasText: "The logo is on the booking page." }).waitFor();
  await page.getByRole("img", { name: "Your logo as visitors see it" }).waitFor();
  await axe(page, "logo uploaded");

  const { page: guest } = await visitor({ timezoneId: "Europe/Berlin" });
  await guest.goto(`${publicBase}/?type=intro`);
  await guest.getByText("In person: Main St 1, Berlin").first().waitFor();
  await guest.getByText("Calls in person in Berlin; write if no time fits.").waitFor();
  await guest.getByText("Dr. Ada Owner").first().waitFor();
  const logo = guest.locator("img.logo");
  await logo.waitFor();
  const logoLoaded = await logo.evaluate((img) => img.complete && img.naturalWidth === 48);
  check(logoLoaded, "the uploaded logo is loaded on the booking page");
  const onAccent = await guest.locator(".frame").evaluate((f) => getComputedStyle(f).getPropertyValue("--on-accent").trim());
  check(onAccent === "#000000", `the saved accent applies, made readable: ${onAccent}`);
  await guest.locator(".grid[aria-busy='false']").waitFor();
  const days = await guest.$$eval("button.day:not([disabled])", (bs) => bs.map((b) => b.dataset.day));
  const other = days.find((d) => d !== day);
  check(other, `a day with times besides ${day}: ${days}`);
  await guest.locator(`button.day[data-day="${other}"]`).click();
  await guest.locator("button.slot").first().click();
  await guest.getByLabel("Name").fill("Vera Visitor");
  await guest.getByLabel("Email").fill("vera@example.org");
  await guest.getByRole("button", { name: "Book this time" }).click();
  await guest.getByText("Your company is required.").first().waitFor();
  await guest.getByLabel("Your company").fill("ACME");
  await guest.getByRole("button", { name: "Book this time" }).click();
  await guest.getByRole("heading", { name: "You are booked" }).waitFor();
  await guest.locator("dd.answer", { hasText: "ACME" }).waitFor();
  // The booking page is another origin than this admin BASE_URL: only real errors count.
  const failures = guest.errors.filter((e) => !e.startsWith("request to another origin"));
  check(failures.length === 0, `the visitor's booking: ${failures.join("; ")}`);

  await section("Bookings");
  const vera = page.locator(".booking", { hasText: "Vera Visitor" });
  await vera.locator(".answers dd", { hasText: "ACME" }).waitFor();
  check((await vera.locator(".answers dt").innerText()).includes("Your company"), "the answer with its question");
  assertClean(page, "owner actions");
  output({ explained: verdict, busy });
});
