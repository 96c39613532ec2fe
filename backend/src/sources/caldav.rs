//! PLACEHOLDER: being built (issue 3). Replace this whole file.

use crate::calendar::{BookingEvent, Interval};
use crate::config::SourceConfig;

use super::{
    CalendarSource, CalendarWriter, Cursor, DiscoveredCalendar, Fetched, SourceContext,
    SourceError, WrittenEvent,
};

#[derive(Debug)]
pub struct CalDav;

impl CalDav {
    pub fn new(_config: &SourceConfig, _ctx: &SourceContext) -> Result<Self, SourceError> {
        Err(SourceError::Config(
            "caldav sources are not built yet".to_owned(),
        ))
    }
}

#[async_trait::async_trait]
impl CalendarSource for CalDav {
    async fn fetch(&self, _: Interval, _: Option<&Cursor>) -> Result<Fetched, SourceError> {
        Err(SourceError::Config("not built".to_owned()))
    }

    async fn discover(&self) -> Result<Vec<DiscoveredCalendar>, SourceError> {
        Err(SourceError::Config("not built".to_owned()))
    }
}

#[async_trait::async_trait]
impl CalendarWriter for CalDav {
    async fn create(&self, _: &BookingEvent) -> Result<WrittenEvent, SourceError> {
        Err(SourceError::Config("not built".to_owned()))
    }

    async fn delete(&self, _: &WrittenEvent) -> Result<(), SourceError> {
        Err(SourceError::Config("not built".to_owned()))
    }
}
