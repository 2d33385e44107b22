"""`gongkai escalate-topics [--today YYYY-MM-DD] [--enqueue]`: escalate overdue topic requests, e.g. daily from cron."""

from gongkai.core.management.daily import DailyCommand
from gongkai.disclosures import topic_tasks


class Command(DailyCommand):
    help = (
        "Notify the leading group of the unit asked (or of its nearest ancestor that has one) of every topic "
        "request still unanswered after its deadline. Safe to run more than once a day: nothing is sent twice."
    )
    task = topic_tasks.escalate_overdue_topics

    def perform(self, day):
        sent = topic_tasks.escalate_overdue(day)
        return f"{sent} escalations of overdue topic requests sent"
