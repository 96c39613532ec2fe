// The dashboard's bookings (BASE_URL is the admin listener) with a request (`confirm =
// "owner"`), a confirmed booking with a long answer and a cancelled one: upcoming shows the
// request first with its event type's title and Approve; approved, its status reads
// confirmed; the filters show their bookings; the cancelled cards have no axe violation at
// all (contrast included); the owner moves a booking to a free time and books one for someone
// who phoned; at 360 px an answer is not squeezed to a letter per line. Then a
// visitor asks for a time on the booking page (PUBLIC): the confirmation and the manage page
// say it waits for the owner's confirmation; the owner's next visit marks it new; the visitor
// withdraws it there.
//
// Also: PASSWORD, PUBLIC (the public listener's base URL).

import { run, visitor, open, axe, screenshot, check, assertClean, output } from "./lib.mjs";

const password = process.env.PASSWORD;
const publicBase = (process.env.PUBLIC || "").replace(/\/$/, "");
check(password && publicBase, "set PASSWORD and PUBLIC");

await run("requests", async () => {
  const { page } = await visitor({ timezoneId: "Europe/Berlin", width: 1280, height: 800 });
  await open(page, "/admin");
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("Password").press("Enter");
  await page.getByRole("heading", { level: 2, name: "Bookings" }).waitFor();
  const filter = (name) => page.getByRole("group", { name: "Which bookings" })
    .getByRole("button", { name, exact: true });
  const whos = () => page.locator(".booking .who").allInnerTexts();

  // Upcoming (the default): the request first, then the confirmed booking; not the cancelled one.
  await page.locator(".booking").nth(1).waitFor();
  check(JSON.stringify(await whos()) === JSON.stringify(["Rita Request", "Eve Visitor"]),
    `upcoming: ${await whos()}`);
  check(await page.locator(".badge-new").count() === 0, "nothing is called new on the first visit");
  const request = page.locator(".booking", { hasText: "Rita Request" });
  check(await request.locator(".what").innerText() === "Asked call", "the event type's title, not its slug");
  check(await request.locator(".badge").innerText() === "request: approve or decline", "a request says so");
  await axe(page, "bookings with a request");
  await request.getByRole("button", { name: "Approve" }).click();
  await request.locator(".badge", { hasText: "confirmed" }).waitFor();
  await page.getByRole("status").filter({ hasText: "The request of Rita Request is approved." }).waitFor();
  check(await request.getByRole("button", { name: "Approve" }).count() === 0, "decided: no Approve any more");

  // The owner moves Eve's booking to the day's first free time (the visitor's reschedule).
  const eve = page.locator(".booking", { hasText: "Eve Visitor" });
  const before = await eve.locator(".when").innerText();
  await eve.getByRole("button", { name: "Move…" }).click();
  await eve.getByRole("button", { name: "Show free times" }).click();
  const times = eve.getByRole("group", { name: "Free times" }).getByRole("button");
  await times.first().waitFor();
  await axe(page, "moving a booking");
  await times.first().click();
  await page.getByRole("status").filter({ hasText: "The booking of Eve Visitor is moved to" }).waitFor();
  check(await eve.locator(".when").innerText() !== before, "the card shows the new time");

  // The owner books a time for someone who phoned: a free time of "Intro call" on Eve's day.
  await page.getByRole("button", { name: "New booking…" }).click();
  const form = page.getByRole("form", { name: "Book a time for someone" });
  await form.getByLabel("Event type").selectOption({ label: "Intro call" });
  const eveDay = new Date(await eve.getAttribute("data-start")).toLocaleDateString("sv-SE", { timeZone: "Europe/Berlin" });
  await form.getByLabel("Day").fill(eveDay);
  await form.getByRole("button", { name: "Show free times" }).click();
  const free = form.getByRole("group", { name: "Free times" }).getByRole("button");
  await free.first().waitFor();
  await form.getByLabel("Their name").fill("Olga Phone");
  await form.getByLabel("Their email").fill("olga@example.org");
  await form.getByRole("button", { name: "Book" }).click();
  await form.getByText("Pick one of the free times first.").waitFor();
  await free.first().click();
  await axe(page, "new booking form");
  await form.getByRole("button", { name: "Book" }).click();
  await page.getByRole("status").filter({ hasText: "Booked for Olga Phone on" }).waitFor();
  const olga = page.locator(".booking", { hasText: "Olga Phone" });
  await olga.waitFor();
  check(await olga.locator(".badge").first().innerText() === "confirmed", "it stands at once");
  check(await olga.locator(".what").innerText() === "Intro call", "of the chosen event type");

  // Requests: none left. Past: nothing yet. Cancelled: Carl only, and axe finds nothing at all.
  await filter("Requests").click();
  await page.getByText("No bookings here.").waitFor();
  await filter("Past").click();
  await page.getByText("No bookings here.").waitFor();
  await filter("Cancelled").click();
  await page.locator(".booking.is-cancelled").first().waitFor();
  check(JSON.stringify(await whos()) === JSON.stringify(["Carl Cancelled"]), `cancelled: ${await whos()}`);
  const violations = await axe(page, "cancelled bookings");
  check(violations.length === 0, `axe on the cancelled bookings: ${JSON.stringify(violations)}`);
  await screenshot(page, "dashboard-cancelled");

  // 360 px: the long answer keeps a readable width (not one letter per line).
  await page.setViewportSize({ width: 360, height: 740 });
  await filter("Upcoming").click();
  const answer = page.locator(".booking", { hasText: "Eve Visitor" }).locator(".answers dd");
  await answer.waitFor();
  const width = await answer.evaluate((el) => el.getBoundingClientRect().width);
  check(width > 200, `the answer is ${width} px wide at 360 px`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 360, `the page is ${wide} px wide at 360 px`);
  await screenshot(page, "dashboard-bookings-360");
  assertClean(page, "requests");

  // The visitor's side of a request: the confirmation and the manage page say it waits.
  const { page: asker } = await visitor({ timezoneId: "Europe/Berlin" });
  await asker.goto(`${publicBase}/`);
  await asker.getByRole("button", { name: /Asked call/ }).first().click();
  await asker.locator("button.slot").first().waitFor({ timeout: 15000 });
  await asker.locator("button.slot").first().click();
  await asker.getByLabel("Name").fill("Ned Newcomer");
  await asker.getByLabel("Email").fill("ned@example.com");
  const posted = asker.waitForResponse((r) => r.url().endsWith("/api/v1/bookings") && r.request().method() === "POST");
  await asker.getByRole("button", { name: "Book this time" }).click();
  const booked = await (await posted).json();
  check(booked.status === "pending" && booked.confirm_by === "owner", `a request: ${JSON.stringify(booked)}`);
  await asker.getByRole("heading", { name: "Waiting for the owner's confirmation" }).waitFor();
  // The owner's next visit marks the one booking made since the last.
  await page.reload();
  const ned = page.locator(".booking", { hasText: "Ned Newcomer" });
  await ned.locator(".badge-new").waitFor();
  check(await page.locator(".badge-new").count() === 1, "only the booking made since the last visit is new");
  const counted = await page.locator("p.count").innerText();
  check(counted.includes("1 new since your last visit"), `the count says so: ${counted}`);
  await axe(asker, "request sent");
  await screenshot(asker, "request-sent");
  await asker.goto(booked.manage_url.replace(/^https?:\/\/[^/]+/, publicBase));
  await asker.getByText("Waiting for the owner's confirmation", { exact: false }).waitFor();
  check(await asker.getByRole("button", { name: "Cancel" }).count() === 0, "nothing to cancel or move while it waits");
  await asker.getByRole("button", { name: "Withdraw the request" }).click();
  await asker.getByText("This booking is cancelled.").waitFor();
  check(await asker.getByRole("button", { name: "Withdraw the request" }).count() === 0, "withdrawn once");
  output({ approved: "Rita Request" });
});
