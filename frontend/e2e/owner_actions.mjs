// The owner's actions in the dashboard (BASE_URL is the admin listener): each action clears the
// banner of the one before (a block added, then a refused one: the stale "The block is added."
// is gone and the refusal shows in the form), and "Explain a time" answers in a neutral panel,
// not in the success banner, with times in the owner's zone (Europe/Berlin) and the calendar's
// name.
//
// Then the working hours edited with the time pickers (a bad range in plain words; saved).
//
// Also: PASSWORD; BLOCK_DAY (YYYY-MM-DD, a working day inside the horizon, with the calendar
// SOURCE (its shown name) busy 14:00-15:00 Berlin time).

import { run, visitor, open, check, assertClean, output } from "./lib.mjs";

const password = process.env.PASSWORD;
const day = process.env.BLOCK_DAY;
const sourceName = process.env.SOURCE;
check(password && day && sourceName, "set PASSWORD, BLOCK_DAY and SOURCE");

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
  assertClean(page, "owner actions");
  output({ explained: verdict, busy });
});
