// The dashboard's week calendar (BASE_URL is the admin listener), browser and service on the
// same pinned clock: it opens on MONDAY's week with TODAY marked and the now-line at NOW; the
// busy hour of BUSY_DAY at BUSY_AT is drawn in its calendar's colour (BUSY_COLOR) at that
// height; clicking the booking shows NAME and EMAIL; dragging from 10:00 to 11:30 on TODAY
// makes a block there; statistics name that week by its dates with no overlapping labels; at 360x740 the page does not overflow and the grid scrolls inside.
//
// Also: PASSWORD.

import { run, visitor, open, axe, screenshot, check, assertClean, output } from "./lib.mjs";

const env = (k) => { const v = process.env[k]; check(v, `set ${k}`); return v; };
const [password, monday, today, now, busyDay, busyAt, busyColor, name, email] =
  ["PASSWORD", "MONDAY", "TODAY", "NOW", "BUSY_DAY", "BUSY_AT", "BUSY_COLOR", "NAME", "EMAIL"].map(env);
const minutes = (hhmm) => { const [h, m] = hhmm.split(":").map(Number); return h * 60 + m; };
const WEEK_RANGE = "22–28 Mar"; // MONDAY's week as the statistics name it
const PX = 0.8; // px per minute, as frontend/src/admin/week.rs draws

await run("week", async () => {
  const { page } = await visitor({ timezoneId: "Europe/Berlin", width: 1280, height: 900 });
  await open(page, "/admin");
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("Password").press("Enter");
  await page.getByRole("heading", { level: 2, name: "Bookings" }).waitFor();
  await page.getByRole("navigation", { name: "Dashboard sections" })
    .getByRole("link", { name: "Week", exact: true }).click();
  await page.locator(".week-day").nth(6).waitFor();

  // The pinned week, today marked.
  const days = await page.locator(".week-day").evaluateAll((els) => els.map((e) => e.dataset.day));
  check(days.length === 7 && days[0] === monday, `the week of ${monday}: ${days}`);
  const marked = await page.locator(".week-day.is-today").evaluateAll((els) => els.map((e) => e.dataset.day));
  check(marked.length === 1 && marked[0] === today, `today is ${today}: ${marked}`);

  // Where a wall-clock time is in a column: from the first hour written beside the grid.
  const firstHour = minutes(await page.locator(".cal-hour").first().innerText());
  const yOf = async (day, hhmm) => {
    const box = await page.locator(`.week-day[data-day="${day}"] .cal-col`).boundingBox();
    return box.y + (minutes(hhmm) - firstHour) * PX;
  };
  const near = (a, b) => Math.abs(a - b) <= 2;

  // The now-line: only on today, at NOW.
  check(await page.locator(".now-line").count() === 1, "one now-line");
  const line = await page.locator(`.week-day[data-day="${today}"] .now-line`).boundingBox();
  const lineY = await yOf(today, now);
  check(line && near(line.y, lineY), `the now-line at ${now}: ${line && line.y} vs ${lineY}`);

  // The calendar's busy hour: its day, its time, its colour; the legend names it.
  const busy = page.locator(`.week-day[data-day="${busyDay}"] .cal-busy[data-source="work"]`);
  check(await busy.count() === 1, "the busy hour is in its day's column");
  const busyBox = await busy.boundingBox();
  const busyY = await yOf(busyDay, busyAt);
  check(near(busyBox.y, busyY), `busy at ${busyAt}: ${busyBox.y} vs ${busyY}`);
  check(near(busyBox.height, 60 * PX), `busy for an hour: ${busyBox.height}`);
  const color = await busy.evaluate((el) => getComputedStyle(el).backgroundColor);
  check(color === busyColor, `the calendar's colour: ${color}`);
  check(await page.locator(".cal-legend").getByText("Work calendar").count() === 1, "the legend names the calendar");

  await axe(page, "week calendar");

  // A booking opens its details.
  await page.locator(`.week-day[data-day="${today}"] .cal-booking`).click();
  const details = page.getByRole("dialog");
  await details.getByText(email).waitFor();
  check(await details.getByText(name).count() === 1, "the booking's details name the visitor");
  check(await details.getByText("Intro call").count() === 1, "the details name the event type by its title");
  await axe(page, "booking details");
  await details.getByRole("button", { name: "Close" }).click();
  await details.waitFor({ state: "detached" });

  // Drag from 10:00 to 11:30 in today's column (its left, where busy time is drawn).
  const col = await page.locator(`.week-day[data-day="${today}"] .cal-col`).boundingBox();
  const x = col.x + col.width * 0.2;
  await page.mouse.move(x, await yOf(today, "10:00"));
  await page.mouse.down();
  await page.mouse.move(x, await yOf(today, "11:00"), { steps: 4 });
  await page.mouse.move(x, await yOf(today, "11:30"), { steps: 4 });
  await page.mouse.up();
  const block = page.locator(`.week-day[data-day="${today}"] .cal-block`);
  await block.waitFor();
  const blockBox = await block.boundingBox();
  check(near(blockBox.y, await yOf(today, "10:00")), `the block starts at 10:00: ${blockBox.y}`);
  check(near(blockBox.height, 90 * PX), `the block lasts 90 minutes: ${blockBox.height}`);
  check((await block.innerText()).includes("10:00") && (await block.innerText()).includes("11:30"),
    `the block says its times: ${await block.innerText()}`);
  await screenshot(page, "dashboard-week-calendar");

  // Statistics: weeks named by their dates (Monday to Sunday in the owner's zone), and no
  // two written labels of a chart overlap.
  await page.getByRole("navigation", { name: "Dashboard sections" })
    .getByRole("link", { name: "Statistics", exact: true }).click();
  await page.locator(".chart svg").nth(5).waitFor();
  const perWeek = await page.locator(".chart-booked svg").getAttribute("aria-label");
  check(perWeek.includes(`${WEEK_RANGE}: 1`), `this week by its dates: ${perWeek}`);
  check(!/W\d\d/.test(perWeek), `no ISO week numbers: ${perWeek}`);
  const clashes = await page.evaluate(() => {
    const out = [];
    for (const svg of document.querySelectorAll(".chart svg")) {
      const boxes = [...svg.querySelectorAll("text")].filter((t) => t.textContent.trim())
        .map((t) => [t.textContent, t.getBoundingClientRect()]);
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const [a, ra] = boxes[i]; const [b, rb] = boxes[j];
        if (ra.left < rb.right && rb.left < ra.right && ra.top < rb.bottom && rb.top < ra.bottom) out.push(`${a}/${b}`);
      }
    }
    return out;
  });
  check(clashes.length === 0, `chart labels overlap: ${clashes.slice(0, 5)}`);
  await screenshot(page, "dashboard-statistics");
  await page.getByRole("navigation", { name: "Dashboard sections" })
    .getByRole("link", { name: "Week", exact: true }).click();

  // A phone: the page does not overflow; the grid scrolls sideways in its region.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.locator(".week-day").nth(6).waitFor();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 360, `the page is ${wide} px wide at 360 px`);
  // Opened anew on a phone, the grid is scrolled to today.
  await page.getByRole("button", { name: "This week" }).click();
  await page.locator(".week-day").nth(6).waitFor();
  const todayBox = await page.locator(".week-day.is-today").boundingBox();
  check(todayBox.x >= 40 && todayBox.x + todayBox.width <= 360, `today is in view at 360 px: ${todayBox.x}`);
  const scroller = page.locator(".cal-scroll");
  const [sw, cw] = await scroller.evaluate((el) => [el.scrollWidth, el.clientWidth]);
  check(sw > cw && cw <= 360, `the grid scrolls inside its region: ${sw} in ${cw}`);
  await scroller.evaluate((el) => { el.scrollLeft = el.scrollWidth; });
  const hours = await page.locator(".cal-hours").boundingBox();
  check(hours.x >= 0 && hours.x < 40, `the hours stay in view: ${hours.x}`);
  await axe(page, "week calendar at 360 px");
  await screenshot(page, "dashboard-week-360");
  assertClean(page, "week");
  output({ blocks: await page.locator(".week-day .cal-block").count() });
});
