"""Books, reschedules and cancels through a client that openapi-python-client generated from
openapi.yaml (backend/tests/generated_client.rs runs it): argv = the client's parent folder,
the service's URL, the spec. Typed calls only; any surprise is an AssertionError."""

import datetime
import sys

import yaml

sys.path.insert(0, sys.argv[1])
base_url, spec = sys.argv[2], sys.argv[3]

from openslot_client import Client  # noqa: E402
from openslot_client.api.availability import list_event_types, list_slots  # noqa: E402
from openslot_client.api.bookings import (  # noqa: E402
    cancel_booking,
    create_booking,
    get_booking,
    reschedule_booking,
)
from openslot_client.models import (  # noqa: E402
    BookingBody,
    BookingJson,
    ErrorJson,
    RescheduleBody,
    SlotsJson,
)

# A YAML 1.1 loader (PyYAML, as generators use) keeps the example times strings.
example = yaml.safe_load(open(spec))["components"]["schemas"]["BookingBody"]["example"]
assert isinstance(example["start"], str), example

client = Client(base_url=base_url, raise_on_unexpected_status=True)
day = datetime.date(2026, 12, 1)

types = list_event_types.sync(client=client)
intro = next(t for t in types if t.slug == "intro")
assert intro.repeat == [] and intro.questions == [], intro

r = list_slots.sync_detailed(client=client, event_type="intro", from_=day, to=day)
assert r.status_code == 200, r
assert isinstance(r.parsed, SlotsJson), r.parsed
slots = r.parsed.slots
assert len(slots) >= 2, slots
first, second = slots[0].start, slots[1].start
assert isinstance(first, datetime.datetime), first
assert first.utcoffset() == datetime.timedelta(hours=1), first

body = BookingBody(
    event_type="intro",
    start=first,
    name="Eve Visitor",
    email="eve@example.com",
    timezone="Europe/Berlin",
)
r = create_booking.sync_detailed(client=client, body=body, idempotency_key="generated-1")
assert r.status_code == 201, r
booking = r.parsed
assert isinstance(booking, BookingJson), booking
assert booking.start == first and booking.status == "confirmed", booking
assert booking.answers == [], booking

# The same time again: a 409 whose arrays are there, empty or not.
r = create_booking.sync_detailed(client=client, body=body)
assert r.status_code == 409, r
assert isinstance(r.parsed, ErrorJson), r.parsed
assert r.parsed.error == "not_free" and len(r.parsed.next_slots) > 0, r.parsed
assert r.parsed.fields == [], r.parsed

r = reschedule_booking.sync_detailed(
    booking.id, client=client, token=booking.manage_token, body=RescheduleBody(start=second)
)
assert r.status_code == 200, r
assert r.parsed.start == second and r.parsed.status == "confirmed", r.parsed

r = get_booking.sync_detailed(booking.id, client=client, token=booking.manage_token)
assert r.status_code == 200 and r.parsed.start == second, r

r = cancel_booking.sync_detailed(booking.id, client=client, token=booking.manage_token)
assert r.status_code == 200, r
assert r.parsed.status == "cancelled", r.parsed

r = get_booking.sync_detailed(booking.id, client=client, token="wrong")
assert r.status_code == 404 and r.parsed.error == "not_found", r

print("booked, rescheduled and cancelled through the generated client")
