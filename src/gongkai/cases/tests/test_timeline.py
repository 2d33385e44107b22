"""The timeline is append-only: the model and the database refuse to change an event."""

import pytest
from django.db import DatabaseError, connection, transaction

from gongkai.cases.models import CaseEvent
from gongkai.core.models import LedgerImmutable


def test_events_cannot_be_changed_by_the_model(raised):
    event = raised.events.get()
    event.text = "改写"
    with pytest.raises(LedgerImmutable):
        event.save()
    with pytest.raises(LedgerImmutable):
        CaseEvent.objects.filter(pk=event.pk).update(text="改写")
    with pytest.raises(LedgerImmutable):
        event.delete()


def test_events_cannot_be_changed_in_the_database(raised):
    event = raised.events.get()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_caseevent SET text = %s WHERE id = %s", ["改写", event.pk])
    assert CaseEvent.objects.get(pk=event.pk).text == ""
