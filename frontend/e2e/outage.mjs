// A calendar of the owner's is down (never read, fail closed): the booking page says that
// times cannot be shown right now instead of "no free times", and the owner's dashboard names
// the calendar, why it fails and since when. Run by backend/tests/e2e/outage.rs.
//
// Also: ADMIN_URL (the admin listener), PASSWORD, SOURCE (the calendar's shown name).

import { run, visitor, open, axe, check, assertClean } from "./lib.mjs";

const adminUrl = process.env.ADMIN_URL;
const sourceName = process.env.SOURCE;
check(adminUrl && process.env.PASSWORD && sourceName, "set ADMIN_URL, PASSWORD and SOURCE");

await run("outage", async () => {
  const { page } = await visitor({ timezoneId: "Europe/Berlin", locale: "en-GB" });
  await open(page, "/?type=intro");
  const said = page.getByRole("alert").filter({ hasText: "Times cannot be shown right now" });
  await said.waitFor();
  check(await page.getByText(/No free times/).count() === 0, "the page does not claim there are no free times");
  check(await page.locator("button.slot").count() === 0, "no time is offered");
  const text = await page.locator("main").innerText();
  check(!text.includes(sourceName), "the visitor is not told which calendar");
  await axe(page, "booking page, calendar down");
  assertClean(page, "visitor");

  // The owner: the dashboard's Calendars section names the calendar, the reason and since when.
  const owner = await visitor({ timezoneId: "Europe/Berlin", locale: "en-GB" });
  await owner.page.goto(`${adminUrl}/admin`);
  await owner.page.getByLabel("Password").fill(process.env.PASSWORD);
  await owner.page.getByLabel("Password").press("Enter");
  await owner.page.getByRole("heading", { level: 2, name: "Bookings" }).waitFor();
  await owner.page.getByRole("navigation", { name: "Dashboard sections" })
    .getByRole("link", { name: "Calendars", exact: true }).click();
  const card = owner.page.locator(".source", { hasText: sourceName });
  await card.waitFor();
  check(await card.locator(".badge-bad").count() === 1, "the calendar is marked as failing");
  await card.getByText("Failing since").waitFor();
  const cardText = await card.innerText();
  check(/NEVER SYNCED|OUT OF DATE/.test(cardText), `the card says the calendar is out of date: ${cardText}`);
  check(/refused|connect/i.test(cardText), `the card gives the reason: ${cardText}`);
  await card.getByText("Visitors see no free times").waitFor();
  await axe(owner.page, "dashboard, calendar down");
});
