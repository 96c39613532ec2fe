// The booking page embedded in another site (run by backend/tests/e2e/embed.rs).
//
// A node server stands in for the owner's site on two origins: ALLOWED_SITE (listed in the
// service's [page] embed_origins) and OTHER_SITE (not listed). Both pages hold the same markup:
// an inline embed and a pop-up button, with the service's embed.js.
//   - On ALLOWED_SITE the inline frame shows the booking page, grows to the page's height, and a
//     visitor books a time inside it; the pop-up button opens the page in a dialog that Escape
//     closes (focus back on the button).
//   - On OTHER_SITE Chromium refuses to show the page in the frame (frame-ancestors).
// Writes {booking_id, frame_height, refused_url} to OUT.

import http from "node:http";
import { BASE_URL, check, output, run, screenshot, visitor } from "./lib.mjs";

const ALLOWED_SITE = process.env.ALLOWED_SITE;
const OTHER_SITE = process.env.OTHER_SITE;
check(ALLOWED_SITE && OTHER_SITE, "ALLOWED_SITE and OTHER_SITE are set");

const sitePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ada's shop</title></head>
<body>
  <h1>Ada's shop</h1>
  <p>Book a call below, or <button type="button" data-openslot-popup data-event-type="intro">Book a call</button></p>
  <div data-openslot-inline data-event-type="intro"></div>
  <script src="${BASE_URL}/embed.js" async></script>
</body></html>`;

/** The owner's site on `origin` (http://127.0.0.1:PORT). */
function site(origin) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(sitePage);
  });
  return new Promise((resolve) => server.listen(Number(new URL(origin).port), "127.0.0.1", () => resolve(server)));
}

/** The frame of the booking page inside `page`, once it navigated. */
async function bookingFrame(page) {
  const handle = await page.locator("iframe[data-openslot]").first().elementHandle();
  for (let i = 0; i < 100; i++) {
    const frame = await handle.contentFrame();
    if (frame && frame.url() !== "about:blank") return frame;
    await page.waitForTimeout(100);
  }
  throw new Error("the frame never navigated");
}

await run("embed", async () => {
  const servers = [await site(ALLOWED_SITE), await site(OTHER_SITE)];
  try {
    // ---- the allowed site: inline ----
    const { page } = await visitor({ timezoneId: "Europe/Berlin", locale: "en-GB" });
    await page.goto(ALLOWED_SITE + "/");
    const frame = await bookingFrame(page);
    await frame.getByRole("heading", { level: 1, name: "Intro call" }).waitFor({ timeout: 20000 });
    await frame.locator(".grid[aria-busy='false']").waitFor();
    await frame.locator("button.day:not([disabled])").first().click();
    await frame.locator("button.slot").first().waitFor({ timeout: 15000 });
    // The frame follows the page's height (frame.js -> embed.js), not the 640 px it started at.
    const iframe = page.locator("iframe[data-openslot]").first();
    let frameHeight = 0;
    for (let i = 0; i < 50; i++) {
      frameHeight = (await iframe.boundingBox()).height;
      const pageHeight = await frame.evaluate(() => Math.ceil(document.body.getBoundingClientRect().height));
      if (Math.abs(frameHeight - pageHeight) <= 1 && frameHeight !== 640) break;
      await page.waitForTimeout(100);
    }
    const pageHeight = await frame.evaluate(() => Math.ceil(document.body.getBoundingClientRect().height));
    check(Math.abs(frameHeight - pageHeight) <= 1, `the frame is as tall as the page: ${frameHeight} vs ${pageHeight}`);
    check(frameHeight !== 640, "the frame's height followed the page");

    const slot = frame.locator("button.slot").first();
    const start = await slot.getAttribute("data-start");
    await slot.click();
    await frame.getByRole("heading", { name: "Your details" }).waitFor();
    await frame.getByLabel("Name").fill("Grace Embed");
    await frame.getByLabel("Email").fill("grace@example.org");
    const answer = page.waitForResponse((r) => r.url().endsWith("/api/v1/bookings") && r.request().method() === "POST");
    await frame.getByRole("button", { name: "Book this time" }).click();
    const response = await answer;
    check(response.status() === 201, `booked inside the frame: ${response.status()}`);
    const booking = await response.json();
    check(booking.start === start, `the booking is the chosen time: ${booking.start} vs ${start}`);
    await frame.getByRole("heading", { name: "You are booked" }).waitFor();
    await screenshot(page, "embed-inline-1280x800");

    // ---- the pop-up ----
    const button = page.getByRole("button", { name: "Book a call" });
    await button.click();
    const dialog = page.getByRole("dialog", { name: "Book a time" });
    await dialog.waitFor();
    const popupFrame = await (await dialog.locator("iframe").elementHandle()).contentFrame();
    await popupFrame.getByRole("heading", { level: 1, name: "Intro call" }).waitFor({ timeout: 20000 });
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    check(await button.evaluate((b) => b === document.activeElement), "focus is back on the button");

    // ---- another site: the frame is refused ----
    const other = await visitor({ timezoneId: "Europe/Berlin", locale: "en-GB" });
    const refusals = [];
    other.page.on("console", (m) => refusals.push(m.text()));
    await other.page.goto(OTHER_SITE + "/");
    const refusedHandle = await other.page.locator("iframe[data-openslot]").first().elementHandle();
    let refusedUrl = "";
    for (let i = 0; i < 100; i++) {
      const f = await refusedHandle.contentFrame();
      refusedUrl = f ? f.url() : "";
      if (refusedUrl.startsWith("chrome-error:")) break;
      await other.page.waitForTimeout(100);
    }
    check(refusedUrl.startsWith("chrome-error:"), `the frame on another site shows no page: ${refusedUrl}`);
    const refusedFrame = await refusedHandle.contentFrame();
    check(
      (await refusedFrame.getByRole("heading", { name: "Intro call" }).count()) === 0,
      "no booking page inside the refused frame",
    );
    check(refusals.some((t) => /frame-ancestors/.test(t)), `Chromium names frame-ancestors: ${refusals.join(" | ")}`);

    output({ booking_id: booking.id, frame_height: frameHeight, refused_url: refusedUrl });
  } finally {
    for (const s of servers) s.close();
  }
});
