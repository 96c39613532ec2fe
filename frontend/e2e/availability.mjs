// Availability opened by calendar events: the owner's university calendar has two "Office
// hours" events (and a seminar that does not match); another calendar is busy during part of
// one of them. The visitor's page offers exactly those hours minus the busy time: this walks
// every month to the end of the horizon, opens every day that has times and writes every
// offered start to OUT. Run by backend/tests/e2e/availability.rs.

import { run, visitor, open, axe, output, assertClean } from "./lib.mjs";

await run("availability", async () => {
  const { page } = await visitor({ timezoneId: "Europe/Berlin", locale: "en-GB" });
  await open(page, "/?type=intro");
  await page.getByRole("heading", { level: 1, name: "Intro call" }).waitFor();
  const next = page.locator(".month-nav").getByRole("button", { name: "Next month" });
  const offered = [];
  for (let month = 0; month < 4; month++) {
    await page.locator(".grid[aria-busy='false']").waitFor();
    const days = await page.$$eval("button.day:not([disabled])", (bs) => bs.map((b) => b.dataset.day));
    for (const day of days) {
      await page.locator(`button.day[data-day="${day}"]`).click();
      await page.locator("button.slot").first().waitFor();
      offered.push(...(await page.$$eval("button.slot[data-start]", (bs) => bs.map((b) => b.dataset.start))));
    }
    if (month === 0) await axe(page, "booking page with availability events");
    if (!(await next.isEnabled())) break;
    const before = await page.locator("#month-title").getAttribute("data-month");
    await next.click();
    await page.locator(`#month-title:not([data-month="${before}"])`).waitFor();
  }
  assertClean(page, "availability");
  output({ offered: [...new Set(offered)].sort() });
});
