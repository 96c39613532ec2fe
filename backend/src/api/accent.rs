//! The owner's accent colour made readable (issue 18 item 7): `#f5c400` under white text is
//! 1.6:1. Pure WCAG 2 arithmetic: the text colour on the accent (black or white, whichever
//! reads at 4.5:1 or better) and a shade of the accent for text and links on the page's light
//! and dark backgrounds, stepped toward black or white until it reads at 4.5:1. The page gets
//! them as custom properties in a small stylesheet (`PATH`, linked from index.html): computed
//! here once, not in the visitors' wasm.

/// Where the booking page finds the stylesheet (under `/api/v1`, so nginx sends it here).
pub const PATH: &str = "/api/v1/page/accent.css";

/// WCAG's minimum contrast for body text (AA).
pub const MIN_CONTRAST: f64 = 4.5;

/// The booking page's backgrounds (frontend/style.css): light `--bg` (darker than the white
/// card), dark `--card` (the lighter of the dark ones).
const LIGHT_BG: [u8; 3] = [0xf6, 0xf7, 0xf9];
const DARK_BG: [u8; 3] = [0x1c, 0x1f, 0x25];

/// sRGB channel -> linear light, times 65535 (WCAG 2's formula, tabled once).
const LINEAR: [u16; 256] = [
    0, 20, 40, 60, 80, 99, 119, 139, 159, 179, 199, 219, 241, 264, 288, 313, 340, 367, 396, 427,
    458, 491, 526, 562, 599, 637, 677, 718, 761, 805, 851, 898, 947, 997, 1048, 1101, 1156, 1212,
    1270, 1330, 1391, 1453, 1517, 1583, 1651, 1720, 1790, 1863, 1937, 2013, 2090, 2170, 2250, 2333,
    2418, 2504, 2592, 2681, 2773, 2866, 2961, 3058, 3157, 3258, 3360, 3464, 3570, 3678, 3788, 3900,
    4014, 4129, 4247, 4366, 4488, 4611, 4736, 4864, 4993, 5124, 5257, 5392, 5530, 5669, 5810, 5953,
    6099, 6246, 6395, 6547, 6700, 6856, 7014, 7174, 7335, 7500, 7666, 7834, 8004, 8177, 8352, 8528,
    8708, 8889, 9072, 9258, 9445, 9635, 9828, 10022, 10219, 10417, 10619, 10822, 11028, 11235,
    11446, 11658, 11873, 12090, 12309, 12530, 12754, 12980, 13209, 13440, 13673, 13909, 14146,
    14387, 14629, 14874, 15122, 15371, 15623, 15878, 16135, 16394, 16656, 16920, 17187, 17456,
    17727, 18001, 18277, 18556, 18837, 19121, 19407, 19696, 19987, 20281, 20577, 20876, 21177,
    21481, 21787, 22096, 22407, 22721, 23038, 23357, 23678, 24002, 24329, 24658, 24990, 25325,
    25662, 26001, 26344, 26688, 27036, 27386, 27739, 28094, 28452, 28813, 29176, 29542, 29911,
    30282, 30656, 31033, 31412, 31794, 32179, 32567, 32957, 33350, 33745, 34143, 34544, 34948,
    35355, 35764, 36176, 36591, 37008, 37429, 37852, 38278, 38706, 39138, 39572, 40009, 40449,
    40891, 41337, 41785, 42236, 42690, 43147, 43606, 44069, 44534, 45002, 45473, 45947, 46423,
    46903, 47385, 47871, 48359, 48850, 49344, 49841, 50341, 50844, 51349, 51858, 52369, 52884,
    53401, 53921, 54445, 54971, 55500, 56032, 56567, 57105, 57646, 58190, 58737, 59287, 59840,
    60396, 60955, 61517, 62082, 62650, 63221, 63795, 64372, 64952, 65535,
];

/// `#rgb` or `#rrggbb`.
pub fn parse(hex: &str) -> Option<[u8; 3]> {
    let digits = hex.trim().strip_prefix('#')?;
    let value = |s: &str| u8::from_str_radix(s, 16).ok();
    match digits.len() {
        3 => {
            let mut rgb = [0; 3];
            for (i, c) in digits.char_indices() {
                rgb[i] = value(&c.to_string())? * 17;
            }
            Some(rgb)
        }
        6 => Some([
            value(digits.get(0..2)?)?,
            value(digits.get(2..4)?)?,
            value(digits.get(4..6)?)?,
        ]),
        _ => None,
    }
}

/// WCAG 2 relative luminance, 0 (black) to 1 (white).
pub fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let lin = |c: u8| f64::from(LINEAR[usize::from(c)]) / 65535.0;
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// WCAG 2 contrast ratio, 1 to 21.
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

const BLACK: [u8; 3] = [0; 3];
const WHITE: [u8; 3] = [255; 3];

/// The text colour on the accent: white when it reads, else black (whichever reads better).
pub fn on_accent(accent: [u8; 3]) -> [u8; 3] {
    if contrast(accent, WHITE) >= MIN_CONTRAST || contrast(accent, WHITE) > contrast(accent, BLACK)
    {
        WHITE
    } else {
        BLACK
    }
}

/// The accent itself when it reads on `background`, else mixed toward `toward` in steps of a
/// tenth until it does (pure black or white always does on the page's backgrounds).
pub fn readable_on(accent: [u8; 3], background: [u8; 3], toward: [u8; 3]) -> [u8; 3] {
    let mut colour = accent;
    for step in 1..=10 {
        if contrast(colour, background) >= MIN_CONTRAST {
            break;
        }
        colour = mix(accent, toward, step);
    }
    colour
}

/// `a` with `tenths`/10 of `b`.
fn mix(a: [u8; 3], b: [u8; 3], tenths: u16) -> [u8; 3] {
    let one =
        |x: u8, y: u8| ((u16::from(x) * (10 - tenths) + u16::from(y) * tenths + 5) / 10) as u8;
    [one(a[0], b[0]), one(a[1], b[1]), one(a[2], b[2])]
}

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The custom properties of the page for the owner's accent (style.css reads them); None for a
/// colour that is not `#rgb` or `#rrggbb` (the page's own accent stays).
pub fn accent_style(accent: &str) -> Option<String> {
    let rgb = parse(accent)?;
    Some(format!(
        "--accent: {}; --on-accent: {}; --accent-text: {}; --accent-text-dark: {}",
        hex(rgb),
        hex(on_accent(rgb)),
        hex(readable_on(rgb, LIGHT_BG, BLACK)),
        hex(readable_on(rgb, DARK_BG, WHITE)),
    ))
}

/// The stylesheet at [`PATH`]: the accent's properties on `:root`, or nothing (the page's own
/// blue) without an accent.
pub fn stylesheet(accent: Option<&str>) -> String {
    accent
        .and_then(accent_style)
        .map(|style| format!(":root {{ {style}; }}\n"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 0.01
    }

    #[test]
    fn luminance_and_contrast_follow_wcag() {
        assert!(close(luminance(BLACK), 0.0));
        assert!(close(luminance(WHITE), 1.0));
        assert!(close(contrast(BLACK, WHITE), 21.0));
        assert!(close(contrast(WHITE, WHITE), 1.0));
        // Known pairs (WebAIM's checker): #777 on white 4.48; #f5c400 under white 1.64.
        assert!(close(contrast(parse("#777").unwrap(), WHITE), 4.48));
        assert!(close(contrast(parse("#f5c400").unwrap(), WHITE), 1.64));
        assert!(close(contrast(parse("#2456c8").unwrap(), WHITE), 6.48));
    }

    #[test]
    fn colours_parse_in_both_lengths() {
        assert_eq!(parse("#f5c400"), Some([0xf5, 0xc4, 0x00]));
        assert_eq!(parse("#fff"), Some(WHITE));
        assert_eq!(parse("f5c400"), None);
        assert_eq!(parse("#f5c40"), None);
        assert_eq!(parse("#zzzzzz"), None);
    }

    #[test]
    fn text_on_any_accent_reads() {
        assert_eq!(on_accent(parse("#f5c400").unwrap()), BLACK);
        assert_eq!(on_accent(parse("#2456c8").unwrap()), WHITE);
        assert_eq!(on_accent(parse("#0b6e4f").unwrap()), WHITE);
        for accent in [
            "#f5c400", "#ffff00", "#00ff00", "#777777", "#2456c8", "#ff0000", "#000", "#fff",
        ] {
            let rgb = parse(accent).unwrap();
            assert!(contrast(rgb, on_accent(rgb)) >= MIN_CONTRAST, "{accent}");
            let light = readable_on(rgb, LIGHT_BG, BLACK);
            assert!(
                contrast(light, LIGHT_BG) >= MIN_CONTRAST,
                "{accent} on light"
            );
            assert!(
                contrast(light, WHITE) >= MIN_CONTRAST,
                "{accent} on the white card"
            );
            let dark = readable_on(rgb, DARK_BG, WHITE);
            assert!(contrast(dark, DARK_BG) >= MIN_CONTRAST, "{accent} on dark");
        }
        assert_eq!(stylesheet(None), "");
        assert!(
            stylesheet(Some("#f5c400"))
                .starts_with(":root { --accent: #f5c400; --on-accent: #000000;")
        );
        // A readable accent stays as it is.
        assert_eq!(
            readable_on(parse("#2456c8").unwrap(), LIGHT_BG, BLACK),
            parse("#2456c8").unwrap()
        );
        assert_eq!(
            accent_style("#f5c400").unwrap(),
            format!(
                "--accent: #f5c400; --on-accent: #000000; --accent-text: {}; --accent-text-dark: #f5c400",
                hex(readable_on([0xf5, 0xc4, 0], LIGHT_BG, BLACK))
            )
        );
    }
}
