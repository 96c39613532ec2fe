//! Finding a time zone by what people type: its city, its region, its country, or a name it had
//! before ("Calcutta", "Kiev"). Pure: the zones come from the browser (`Intl`) and the countries
//! from `zones.txt` (tzdata's zone.tab, fetched when the field opens: not in the wasm).

use crate::time;

/// A zone as the list offers it.
#[derive(Clone, Debug, PartialEq)]
pub struct ZoneEntry {
    pub id: String,
    /// "Ho Chi Minh": the last part of the id, `_` as spaces.
    pub city: String,
    /// As tzdata's iso3166.tab writes it; empty when unknown.
    pub country: String,
}

impl ZoneEntry {
    pub fn new(id: &str, country: String) -> Self {
        ZoneEntry {
            id: id.to_owned(),
            city: spaced(id.rsplit('/').next().unwrap_or(id)),
            country,
        }
    }

    /// How well `query` (already [`normalize`]d) names this zone: 0 best, None not at all.
    fn rank(&self, query: &str) -> Option<u8> {
        let id = normalize(&self.id);
        let city = self.city.to_ascii_lowercase();
        let country = self.country.to_ascii_lowercase();
        // A word of `text` starts with the query (words end at a space, `/` or `-`).
        let word_start = |text: &str| {
            text.starts_with(query)
                || [" ", "/", "-"]
                    .iter()
                    .any(|sep| text.contains(&format!("{sep}{query}")))
        };
        if query.is_empty() {
            Some(4)
        } else if id == query || city.starts_with(query) {
            Some(0)
        } else if word_start(&city) {
            Some(1)
        } else if country.starts_with(query) || word_start(&country) {
            Some(2)
        } else if id.contains(query)
            // Its earlier names ("Asia/Saigon").
            || time::renamed().any(|(old, now)| now == self.id && normalize(old).contains(query))
        {
            Some(3)
        } else {
            None
        }
    }

    /// "Tokyo (Japan)", or "Tokyo" without a country.
    pub fn place(&self) -> String {
        if self.country.is_empty() {
            self.city.clone()
        } else {
            format!("{} ({})", self.city, self.country)
        }
    }
}

/// ASCII lower case (no Unicode case tables in the page), `_` as spaces, no space around: how
/// ids and queries are compared.
pub fn normalize(text: &str) -> String {
    spaced(&text.trim().to_ascii_lowercase())
}

/// `_` as spaces ("Ho_Chi_Minh" -> "Ho Chi Minh").
fn spaced(text: &str) -> String {
    text.chars()
        .map(|c| if c == '_' { ' ' } else { c })
        .collect()
}

/// The zones that match `query`, best first, in the order of `entries` within a rank (the
/// browser's list is sorted), at most `limit`. Buckets, not a sort: less code in the page.
pub fn search(entries: &[ZoneEntry], query: &str, limit: usize) -> Vec<ZoneEntry> {
    let query = normalize(query);
    let ranks: Vec<Option<u8>> = entries.iter().map(|e| e.rank(&query)).collect();
    (0..=4)
        .flat_map(|rank| {
            entries
                .iter()
                .zip(&ranks)
                .filter(move |(_, r)| **r == Some(rank))
                .map(|(e, _)| e)
        })
        .take(limit)
        .cloned()
        .collect()
}

/// The country of `zone` in the lines of `zones.txt` (`Japan<TAB>Asia/Tokyo`, `United
/// States<TAB>America/New_York America/Detroit ...`: tzdata's zone.tab and iso3166.tab).
pub fn country_of<'a>(table: &[&'a str], zone: &str) -> Option<&'a str> {
    table.iter().find_map(|line| {
        let (country, zones) = line.split_once('\t')?;
        zones.split(' ').any(|z| z == zone).then_some(country)
    })
}

/// The zones the browser knows under their current names, each once (Chromium lists
/// "Asia/Calcutta" and "Europe/Kiev"); `accepts` says whether the browser takes a name.
pub fn current_zones(known: Vec<String>, accepts: impl Fn(&str) -> bool) -> Vec<String> {
    let mut zones: Vec<String> = known
        .into_iter()
        .map(|z| {
            let now = time::current_name(&z);
            if now != z && accepts(now) {
                now.to_owned()
            } else {
                z
            }
        })
        .collect();
    zones.sort();
    zones.dedup();
    zones
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<ZoneEntry> {
        [
            ("America/Argentina/Buenos_Aires", "Argentina"),
            ("America/Los_Angeles", "United States"),
            ("America/New_York", "United States"),
            ("Asia/Ho_Chi_Minh", "Vietnam"),
            ("Asia/Kolkata", "India"),
            ("Asia/Tokyo", "Japan"),
            ("Europe/Kyiv", "Ukraine"),
            ("UTC", ""),
        ]
        .into_iter()
        .map(|(id, country)| ZoneEntry::new(id, country.to_owned()))
        .collect()
    }

    fn ids(query: &str) -> Vec<String> {
        search(&entries(), query, 10)
            .into_iter()
            .map(|e| e.id)
            .collect()
    }

    #[test]
    fn found_by_city_country_region_and_old_name() {
        assert_eq!(ids("Tokyo"), ["Asia/Tokyo"]);
        assert_eq!(ids("tok"), ["Asia/Tokyo"]);
        assert_eq!(ids("kolkata"), ["Asia/Kolkata"]);
        assert_eq!(ids("Calcutta"), ["Asia/Kolkata"]);
        assert_eq!(ids("Kiev"), ["Europe/Kyiv"]);
        assert_eq!(ids("Saigon"), ["Asia/Ho_Chi_Minh"]);
        assert_eq!(ids("ho chi"), ["Asia/Ho_Chi_Minh"]);
        assert_eq!(ids("Japan"), ["Asia/Tokyo"]);
        assert_eq!(ids("united"), ["America/Los_Angeles", "America/New_York"]);
        assert_eq!(ids("angeles"), ["America/Los_Angeles"]);
        assert_eq!(ids("America/New_York"), ["America/New_York"]);
        assert_eq!(ids("buenos aires"), ["America/Argentina/Buenos_Aires"]);
        assert!(ids("Atlantis").is_empty());
    }

    #[test]
    fn a_city_beats_a_country_and_the_limit_holds() {
        let mut all = entries();
        all.insert(5, ZoneEntry::new("Asia/Japanville", "Nowhere".to_owned()));
        let found: Vec<String> = search(&all, "japan", 10)
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(found, ["Asia/Japanville", "Asia/Tokyo"]);
        assert_eq!(search(&all, "", 3).len(), 3);
    }

    #[test]
    fn places_read_like_people_write_them() {
        assert_eq!(
            ZoneEntry::new("Asia/Tokyo", "Japan".into()).place(),
            "Tokyo (Japan)"
        );
        assert_eq!(ZoneEntry::new("UTC", String::new()).place(), "UTC");
    }

    #[test]
    fn the_country_table_turns_around_and_old_names_go() {
        let table = [
            "Japan\tAsia/Tokyo",
            "United States\tAmerica/New_York America/Chicago",
        ];
        assert_eq!(country_of(&table, "America/Chicago"), Some("United States"));
        assert_eq!(country_of(&table, "Asia/Tokyo"), Some("Japan"));
        assert_eq!(country_of(&table, "UTC"), None);
        let zones = current_zones(
            vec![
                "Asia/Calcutta".into(),
                "Asia/Kolkata".into(),
                "Europe/Kiev".into(),
            ],
            |_| true,
        );
        assert_eq!(zones, ["Asia/Kolkata", "Europe/Kyiv"]);
        // A browser that does not know the new name keeps the old one.
        assert_eq!(
            current_zones(vec!["Europe/Kiev".into()], |_| false),
            ["Europe/Kiev"]
        );
    }
}
